"""The stats a leaderboard ranks by: a constant of its own, so the command line can offer
them as choices without importing pandas (the season's tables) at every start."""

LEADERBOARD_STATS = {
    # stat: (career column, higher is better, label)
    "kills": ("kills", True, "kills"),
    "kd": ("kd", True, "K/D"),
    "dpm": ("dpm", True, "DPM"),
    "damage": ("damage_given", True, "damage given"),
    "accuracy": ("accuracy", True, "accuracy %"),
    "hs": ("hs_percent", True, "headshot %"),
    "revives": ("revives_given", True, "revives"),
    "gibs": ("gibs", True, "gibs"),
    "maps_won": ("maps_won", True, "maps won"),
    "rating": ("rating", True, "rating"),
}
MIN_ROUNDS_FOR_RATIOS = 10   # ratio leaderboards (K/D, DPM, accuracy, HS %) need this many rounds
INACTIVE_DAYS = 28           # the rating board leaves out (or marks) a player with no night in this many days
