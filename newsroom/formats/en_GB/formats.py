# Every time the admin shows (lists, history, revisions, read-only fields) in one format with
# its zone named; see articles/clock.py. en-GB's own formats leave the zone out.
DATETIME_FORMAT = "D j M Y, H:i T"
SHORT_DATETIME_FORMAT = "D j M Y, H:i T"
DATE_FORMAT = "D j M Y"
SHORT_DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i T"
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
TIME_INPUT_FORMATS = ["%H:%M:%S", "%H:%M"]
