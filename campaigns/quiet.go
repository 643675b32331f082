package campaigns

import (
	"time"

	"github.com/surveybot/surveybot/survey"
)

// QuietUntil reports whether t falls in the campaign's quiet time (its
// quiet hours, Sundays if so set) and when that ends.
func QuietUntil(camp survey.Campaign, t time.Time) (time.Time, bool) {
	loc, err := time.LoadLocation(camp.Timezone)
	if err != nil {
		loc = time.UTC
	}
	from, _ := clock(camp.QuietFrom)
	until, _ := clock(camp.QuietUntil)
	start := t
	for range 4 { // a Sunday can end in quiet hours, and those in a Sunday
		local := t.In(loc)
		y, mo, d := local.Date()
		at := func(day, minutes int) time.Time { // wall-clock time, also on the days the clocks change
			return time.Date(y, mo, d+day, minutes/60, minutes%60, 0, 0, loc)
		}
		m := local.Hour()*60 + local.Minute()
		switch {
		case camp.QuietSunday && local.Weekday() == time.Sunday:
			t = at(1, 0)
		case from > until && m >= from: // overnight, evening part
			t = at(1, until)
		case from > until && m < until: // overnight, morning part
			t = at(0, until)
		case from < until && m >= from && m < until:
			t = at(0, until)
		default:
			return t, !t.Equal(start)
		}
	}
	return t, true
}

// sendTime is when a campaign's new messages may first go out: now, or
// its start, or the end of quiet hours.
func (c *Service) sendTime(camp survey.Campaign) time.Time {
	at := c.cfg.Now()
	if camp.StartsAt.After(at) {
		at = camp.StartsAt
	}
	at, _ = QuietUntil(camp, at)
	return at
}
