// Package survey holds the domain's types that are not persistence: who
// answers (identities, members, chambers, principals), responses and their
// public shape, campaigns and their figures, the dimensions and cells of
// published figures, and the channels a respondent talks on. store reads
// and writes them; bot, campaigns, indicators and the channels use them
// without linking a database driver.
package survey
