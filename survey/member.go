package survey

// Member is a chamber's contact: a company and how to reach it.
type Member struct {
	ID          string `db:"id" json:"id"`
	MemberNo    string `db:"member_no" json:"member_no,omitempty"`
	Company     string `db:"company" json:"company"`
	ContactName string `db:"contact_name" json:"contact_name,omitempty"`
	Email       string `db:"email" json:"email,omitempty"`
	Telegram    bool   `db:"telegram" json:"telegram"`
	Slack       string `db:"slack" json:"slack,omitempty"`
	Sector      string `db:"sector" json:"sector,omitempty"`
	SizeBand    string `db:"size_band" json:"size_band,omitempty"`
	District    string `db:"district" json:"district,omitempty"`
	Lang        string `db:"lang" json:"lang"`
	Consent     bool   `db:"consent" json:"consent"`
}

// ImportResult says what an import did.
type ImportResult struct {
	Created int `json:"created"`
	Updated int `json:"updated"`
}
