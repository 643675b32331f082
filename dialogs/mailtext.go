package dialogs

import "time"

// MailText names a text of the invitation and reminder e-mails. They live
// here, beside the channel texts, so that all wording is in one catalogue,
// German first. Texts with %s take the value named in their comment.
type MailText int

// The e-mail texts.
const (
	MailSubjectInvitation      MailText = iota
	MailSubjectReminder                 // %s: chamber
	MailSubjectReminderGeneric          // without a chamber
	MailGreeting
	MailIntroInvitation        // %s: chamber
	MailIntroInvitationGeneric // without a chamber
	MailIntroReminder          // %s: chamber
	MailIntroReminderGeneric   // without a chamber
	MailAbout
	MailPrivacy
	MailChannels    // with a Telegram link
	MailChannelsWeb // without one
	MailKept
	MailDeadline // %s: date
	MailWebButton
	MailTelegramButton
	MailLinkFallback
	MailTelegramFallback
	MailPersonal
	MailThanks
	MailSignature
	MailWhy        // %s: chamber
	MailWhyGeneric // without a chamber
	MailUnsubscribe
	MailUnsubscribeLabel
	MailDate // %[1]d day, %[2]s month name, %[3]d year
)

// Text returns both languages of an e-mail text.
func (k MailText) Text() Text {
	switch k {
	case MailSubjectInvitation:
		return Text{"Einladung: Umfrage zur Digitalisierung in Mittelstand und Handwerk (ca. 10 Minuten)",
			"Invitation: survey on digitalisation in small businesses and crafts (about 10 minutes)"}
	case MailSubjectReminder:
		return Text{"Erinnerung von %s: Die Umfrage zur Digitalisierung läuft noch",
			"Reminder from %s: the digitalisation survey is still open"}
	case MailSubjectReminderGeneric:
		return Text{"Erinnerung: Die Umfrage zur Digitalisierung läuft noch",
			"Reminder: the digitalisation survey is still open"}
	case MailGreeting:
		return Text{"Guten Tag,", "Hello,"}
	case MailIntroInvitation:
		return Text{"%s lädt Sie zur gemeinsamen Umfrage des Strategierats Niedersachsen ein.",
			"%s invites you to the joint survey of the Strategierat Niedersachsen, the council for digitalisation in Lower Saxony."}
	case MailIntroInvitationGeneric:
		return Text{"der Strategierat Niedersachsen lädt Sie zu seiner gemeinsamen Umfrage ein.",
			"The Strategierat Niedersachsen, the council for digitalisation in Lower Saxony, invites you to its joint survey."}
	case MailIntroReminder:
		return Text{"vor Kurzem hat %s Sie zur Umfrage des Strategierats Niedersachsen eingeladen. Die Umfrage ist noch offen, und wir freuen uns, wenn Sie mitmachen.",
			"A little while ago, %s invited you to the survey of the Strategierat Niedersachsen. The survey is still open, and we would be glad if you took part."}
	case MailIntroReminderGeneric:
		return Text{"vor Kurzem haben wir Sie zur Umfrage des Strategierats Niedersachsen eingeladen. Die Umfrage ist noch offen, und wir freuen uns, wenn Sie mitmachen.",
			"A little while ago, we invited you to the survey of the Strategierat Niedersachsen. The survey is still open, and we would be glad if you took part."}
	case MailAbout:
		return Text{"Aus Ihren Antworten entstehen die Indikatoren, mit denen Kammern, Verbände und Land messen, wie weit kleine Unternehmen und Handwerksbetriebe in Niedersachsen bei der Digitalisierung sind. Die Beantwortung dauert etwa 10 Minuten.",
			"Your answers feed the indicators with which chambers, associations and the state measure how far small businesses and craft firms in Lower Saxony have come with digitalisation. It takes about 10 minutes."}
	case MailPrivacy:
		return Text{"Ihre Antworten werden pseudonym gespeichert und nur zusammengefasst für Gruppen von mindestens 5 Betrieben ausgewertet.",
			"Your answers are stored under a pseudonym and reported only in summaries of groups of at least 5 firms."}
	case MailChannels:
		return Text{"Sie können im Browser oder in Telegram antworten, jederzeit eine Pause machen und später weitermachen – auch auf dem jeweils anderen Weg.",
			"You can answer in your browser or in Telegram, pause at any time and continue later – on either of the two."}
	case MailChannelsWeb:
		return Text{"Sie können jederzeit eine Pause machen und später über denselben Link weitermachen.",
			"You can pause at any time and continue later with the same link."}
	case MailKept:
		return Text{"Falls Sie schon begonnen haben: Ihre bisherigen Antworten sind gespeichert, und Sie machen dort weiter, wo Sie aufgehört haben.",
			"If you have already started: your answers so far are saved, and you continue where you left off."}
	case MailDeadline:
		return Text{"Die Umfrage läuft bis zum %s.", "The survey is open until %s."}
	case MailWebButton:
		return Text{"Umfrage im Browser öffnen", "Open the survey in your browser"}
	case MailTelegramButton:
		return Text{"In Telegram beantworten", "Answer in Telegram"}
	case MailLinkFallback:
		return Text{"Falls der Knopf nicht funktioniert, kopieren Sie diesen Link in Ihren Browser:",
			"If the button does not work, copy this link into your browser:"}
	case MailTelegramFallback:
		return Text{"Oder antworten Sie in Telegram:", "Or answer in Telegram:"}
	case MailPersonal:
		return Text{"Die Links sind persönlich. Bitte leiten Sie diese E-Mail nicht weiter.",
			"The links are personal. Please do not forward this e-mail."}
	case MailThanks:
		return Text{"Vielen Dank für Ihre Unterstützung!", "Thank you for your support!"}
	case MailSignature:
		return Text{"Ihr Strategierat Niedersachsen", "The Strategierat Niedersachsen"}
	case MailWhy:
		return Text{"Sie erhalten diese E-Mail, weil %s Sie zu dieser Umfrage eingeladen hat.",
			"You receive this e-mail because %s invited you to this survey."}
	case MailWhyGeneric:
		return Text{"Sie erhalten diese E-Mail, weil Sie zu dieser Umfrage eingeladen wurden.",
			"You receive this e-mail because you were invited to this survey."}
	case MailUnsubscribe:
		return Text{"Sie möchten keine E-Mails mehr zu dieser Umfrage erhalten? Dann melden Sie sich hier ab:",
			"Would you rather not receive any more e-mails about this survey? Unsubscribe here:"}
	case MailUnsubscribeLabel:
		return Text{"Abmelden", "Unsubscribe"}
	case MailDate:
		return Text{"%[1]d. %[2]s %[3]d", "%[1]d %[2]s %[3]d"}
	}
	return Text{"?", "?"}
}

// In returns the text in lang.
func (k MailText) In(lang Lang) string { return k.Text().In(lang) }

// MonthName returns the name of a month in both languages.
func MonthName(m time.Month) Text {
	switch m {
	case time.January:
		return Text{"Januar", "January"}
	case time.February:
		return Text{"Februar", "February"}
	case time.March:
		return Text{"März", "March"}
	case time.April:
		return Text{"April", "April"}
	case time.May:
		return Text{"Mai", "May"}
	case time.June:
		return Text{"Juni", "June"}
	case time.July:
		return Text{"Juli", "July"}
	case time.August:
		return Text{"August", "August"}
	case time.September:
		return Text{"September", "September"}
	case time.October:
		return Text{"Oktober", "October"}
	case time.November:
		return Text{"November", "November"}
	case time.December:
		return Text{"Dezember", "December"}
	}
	return Text{"?", "?"}
}
