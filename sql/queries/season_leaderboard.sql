-- Season leaderboard over every counted round (R1/R2, orphans excluded), one row per player.
-- DPM is time-weighted (DOMAIN 6.2): total damage * 60 / total seconds played.
SELECT p.guid,
       MAX(p.name)                                             AS name,
       COUNT(DISTINCT r.session_id)                            AS sessions,
       COUNT(*)                                                AS rounds,
       SUM(p.kills)                                            AS kills,
       SUM(p.deaths)                                           AS deaths,
       ROUND(CAST(SUM(p.damage_given) * 60.0 / NULLIF(SUM(p.time_played_seconds), 0) AS NUMERIC), 1) AS dpm
FROM player_round_stats p
JOIN rounds r ON r.round_key = p.round_key
WHERE NOT r.orphan AND NOT p.is_bot
GROUP BY p.guid
ORDER BY kills DESC;
