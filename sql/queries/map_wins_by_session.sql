-- Every session with its score and the maps that were not counted (and why).
SELECT s.session_date, s.session_id, s.team_a_name, s.score_a, s.score_b, s.team_b_name, s.winner,
       s.maps_counted, s.maps_total,
       (SELECT COUNT(*) FROM map_results m WHERE m.session_id = s.session_id AND NOT m.counted) AS not_counted
FROM session_results s
ORDER BY s.session_date, s.session_id;
