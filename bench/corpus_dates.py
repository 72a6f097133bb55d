"""Where a generated corpus starts so that its last night is in the past: `run` refuses
files dated more than a day after the clock ("dated in the future"), and the generator's
default start (2025-01-07) puts night 1,000 in 2029."""
import datetime as dt

MAX_DAYS_BETWEEN_NIGHTS = 3      # synth.night.calendar: mostly consecutive days, at most every 3 days


def past_start_date(nights: int, today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    return (today - dt.timedelta(days=MAX_DAYS_BETWEEN_NIGHTS * nights + 1)).isoformat()
