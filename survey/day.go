package survey

import (
	"fmt"
	"time"
)

// ParseDay reads a day as chambers and the operator write one for a
// campaign or a wave: YYYY-MM-DD in loc (the day's start, or with end the
// next day's start, so the day is whole), or an RFC 3339 time. It returns
// UTC.
func ParseDay(s string, loc *time.Location, end bool) (time.Time, error) {
	d, err := time.Parse(time.RFC3339, s)
	if err != nil {
		if d, err = time.ParseInLocation(time.DateOnly, s, loc); err != nil {
			return time.Time{}, fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
		}
		if end {
			d = d.AddDate(0, 0, 1)
		}
	}
	// SQLite keeps times as RFC 3339 text, which has four-digit years
	// only: the end of the last day of 9999, or the first day of year 0
	// east of UTC, would store a row no query could read back.
	if d = d.UTC(); d.Year() < 1 || d.Year() > 9999 {
		return time.Time{}, fmt.Errorf("%q is not between the years 1 and 9999", s)
	}
	return d, nil
}
