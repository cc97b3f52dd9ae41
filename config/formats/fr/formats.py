"""One date style for the whole site in French: "5 déc. 2026", "5 déc. 2026 à 14:30" (Paris time, USE_TZ)."""

DATE_FORMAT = "j N Y"  # N: month abbreviated the French way ("déc.", "mars", "juil.")
DATETIME_FORMAT = "j N Y à H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
# Spreadsheet exports: what French spreadsheets read as a date and a time.
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
