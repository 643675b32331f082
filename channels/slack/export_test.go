package slack

// WorkLen returns how many accepted requests wait in the work queue, so
// tests can tell when the channel has acted.
func (c *Channel) WorkLen() int { return c.work.Len() }
