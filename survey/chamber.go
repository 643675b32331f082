package survey

// Chamber is a chamber, guild or association that brings respondents.
type Chamber struct {
	ID   string `db:"id"`
	Code string `db:"code"` // the answer code of the questionnaire's chamber question
	Name string `db:"name"`
}

// Principal is who an API key speaks for: a chamber, or the operator.
type Principal struct {
	Chamber *Chamber // nil: the operator, who sees everything
}

// Operator reports whether the principal is the operator.
func (p Principal) Operator() bool { return p.Chamber == nil }
