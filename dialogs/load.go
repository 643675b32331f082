package dialogs

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/surveybot/surveybot/regions"

	"go.yaml.in/yaml/v3"
)

// Resolver finds the shared core a chamber's questionnaire extends.
type Resolver func(Ref) (*Questionnaire, error)

// maxFileSize bounds what Parse reads, so a pasted or uploaded file cannot
// blow up memory through YAML aliases or sheer size.
const maxFileSize = 1 << 20

// Parse decodes and validates a questionnaire file. file names it in
// problems. resolve is called for a chamber file's `extends`; it may be nil
// for files that extend nothing. All problems are reported at once in an
// *InvalidError.
func Parse(file string, data []byte, resolve Resolver) (*Questionnaire, error) {
	ps := &problems{file: file}
	if len(data) > maxFileSize {
		ps.add(0, "", "file is larger than %d bytes", maxFileSize)
		return nil, ps.err()
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		ps.add(yamlErrLine(err.Error()), "", "not valid YAML: %s", stripYAMLPrefix(err.Error()))
		return nil, ps.err()
	}
	if len(root.Content) == 0 {
		ps.add(0, "", "file is empty")
		return nil, ps.err()
	}
	if aliases(&root) {
		ps.add(0, "", "YAML anchors and aliases are not supported; write each item out")
		return nil, ps.err()
	}

	q := &Questionnaire{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(q); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			ps.add(yamlErrLine(err.Error()), "", "%s", stripYAMLPrefix(err.Error()))
			return nil, ps.err()
		}
		for _, msg := range te.Errors {
			line := yamlErrLine(msg)
			value := ""
			if m := unmarshalRE.FindStringSubmatch(msg); m != nil {
				value = m[1]
			}
			item, key := located(&root, line, value)
			desc := describeTypeError(msg)
			if key != "" && !strings.HasPrefix(desc, "unknown key") {
				desc = key + ": " + desc
			}
			ps.add(line, item, "%s", desc)
		}
	}
	ns := recordLines(&root, q)

	if q.Extends != nil {
		if resolve == nil {
			ps.add(0, "", "extends %s, but no shared core is available", q.Extends)
			return nil, ps.err()
		}
		core, err := resolve(*q.Extends)
		if err != nil {
			ps.add(0, "", "extends %s: %v", q.Extends, err)
			return nil, ps.err()
		}
		validateChamberTop(ps, q)
		ownItems := 0
		for _, m := range q.Modules {
			ownItems += len(m.Items)
		}
		q.Modules = append(cloneModules(core.Modules), q.Modules...)
		q.Fields = core.Fields
		q.Privacy = core.Privacy
		q.core = len(core.items)
		q.coreRef = core.Ref()
	} else {
		q.coreRef = q.Ref()
	}
	q.build()
	area, err := regions.Niedersachsen()
	if err != nil {
		return nil, err
	}
	q.area = area
	if q.Extends == nil {
		q.core = len(q.items)
	}
	validate(ps, q, ns)
	if err := ps.err(); err != nil {
		return nil, err
	}
	return q, nil
}

// cloneModules copies modules and their items so that building a chamber
// questionnaire never touches the core's own values.
func cloneModules(ms []Module) []Module {
	out := make([]Module, len(ms))
	for i, m := range ms {
		out[i] = m
		out[i].Items = append([]Item(nil), m.Items...)
	}
	return out
}

// build indexes the items in dialog order and joins module conditions.
func (q *Questionnaire) build() {
	q.items = q.items[:0]
	q.index = make(map[string]int)
	for mi := range q.Modules {
		m := &q.Modules[mi]
		for ii := range m.Items {
			it := &m.Items[ii]
			it.module = m
			it.pos = len(q.items)
			it.conds = append(append([]Condition(nil), m.When...), it.When...)
			if it.Type == FreeText && it.MaxLen == 0 {
				it.MaxLen = defaultMaxLen
			}
			if _, dup := q.index[it.ID]; !dup {
				q.index[it.ID] = it.pos
			}
			q.items = append(q.items, it)
		}
	}
}

const (
	defaultMaxLen = 500
	maxMaxLen     = 2000
)

var (
	idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)
	// Item ids and option codes travel in Telegram's 64-byte callback data
	// ("o|" + item + "|" + code), so they are kept short.
	itemPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)
	codePattern = regexp.MustCompile(`^[a-z0-9_]{1,20}$`)
	lineRE      = regexp.MustCompile(`line (\d+)`)
	typeErrRE   = regexp.MustCompile(`field (\S+) not found in type dialogs\.(\w+)`)
)

func yamlErrLine(msg string) int {
	m := lineRE.FindStringSubmatch(msg)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func stripYAMLPrefix(msg string) string {
	msg = strings.TrimPrefix(msg, "yaml: ")
	if i := strings.Index(msg, ": "); i > 0 && strings.HasPrefix(msg, "line ") {
		msg = msg[i+2:]
	}
	return msg
}

// describeTypeError turns yaml's "field x not found in type dialogs.Item"
// into words a chamber's staff can act on.
func describeTypeError(msg string) string {
	if m := typeErrRE.FindStringSubmatch(msg); m != nil {
		where := map[string]string{
			"Questionnaire": "at the top level", "Module": "in a module", "Item": "in an item",
			"Option": "in an option", "Scoring": "in a score block", "Condition": "in a condition",
			"Text": "in a text (only de and en are allowed)", "Field": "in a field", "Ref": "in extends",
		}[m[2]]
		if where == "" {
			where = "in " + m[2]
		}
		return fmt.Sprintf("unknown key %q %s", m[1], where)
	}
	msg = stripYAMLPrefix(msg)
	if m := unmarshalRE.FindStringSubmatch(msg); m != nil {
		want := map[string]string{"bool": "true or false", "int": "a whole number", "float64": "a number", "string": "a text"}[m[2]]
		if want != "" {
			return fmt.Sprintf("%q is not %s (%s)", m[1], want, msg)
		}
	}
	return msg
}

var unmarshalRE = regexp.MustCompile("cannot unmarshal !!\\w+ `([^`]*)` into (\\w+)")

// located finds the item (or module) whose YAML holds line, and the key
// whose value (value, if not "") is on it, so a type error names both.
func located(root *yaml.Node, line int, value string) (item, key string) {
	doc := docNode(root)
	if mods := mapValue(doc, "modules"); mods != nil && mods.Kind == yaml.SequenceNode {
		for _, mn := range mods.Content {
			if items := mapValue(mn, "items"); items != nil && items.Kind == yaml.SequenceNode {
				for _, in := range items.Content {
					if k := keyOn(in, line, value); k != "" {
						return scalarOf(mapValue(in, "id")), k
					}
				}
			}
			if k := keyOn(mn, line, value); k != "" {
				return scalarOf(mapValue(mn, "id")), k
			}
		}
	}
	return "", keyOn(doc, line, value)
}

// keyOn returns the key, anywhere under n, whose scalar value is on line
// (and is value, if not "").
func keyOn(n *yaml.Node, line int, value string) string {
	if n == nil {
		return ""
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if v := n.Content[i+1]; v.Kind == yaml.ScalarNode && v.Line == line && (value == "" || v.Value == value) {
				return n.Content[i].Value
			}
			if k := keyOn(n.Content[i+1], line, value); k != "" {
				return k
			}
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			if k := keyOn(c, line, value); k != "" {
				return k
			}
		}
	}
	return ""
}

func scalarOf(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

func docNode(root *yaml.Node) *yaml.Node {
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		return root.Content[0]
	}
	return root
}

// nodes are the YAML nodes of this file's modules and items by their line,
// so that a problem can point at the exact line of a key or value.
type nodes map[int]*yaml.Node

// at returns the line of what path names under the node at line: a key
// (string) of a mapping, then an index (int) of a sequence, and so on. It
// stops at the last step it finds, and gives line itself if none.
func (ns nodes) at(line int, path ...any) int {
	n := ns[line]
	if n == nil {
		return line
	}
	found := n.Line
	for _, step := range path {
		var next, key *yaml.Node
		switch s := step.(type) {
		case string:
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if n.Content[i].Value == s {
						key, next = n.Content[i], n.Content[i+1]
						break
					}
				}
			}
		case int:
			if n.Kind == yaml.SequenceNode && s >= 0 && s < len(n.Content) {
				next = n.Content[s]
			}
		}
		if next == nil {
			return found
		}
		found = next.Line
		if key != nil && (next.Kind != yaml.ScalarNode) {
			found = key.Line // a block value starts below its key
		}
		n = next
	}
	return found
}

// aliases reports whether the document uses YAML aliases, which would let a
// small file expand into a huge questionnaire.
func aliases(n *yaml.Node) bool {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return true
	}
	for _, c := range n.Content {
		if aliases(c) {
			return true
		}
	}
	return false
}

// recordLines copies the line numbers of modules and items from the YAML
// node tree, so problems can point at them, and returns their nodes.
func recordLines(root *yaml.Node, q *Questionnaire) nodes {
	ns := nodes{}
	mods := mapValue(docNode(root), "modules")
	if mods == nil || mods.Kind != yaml.SequenceNode {
		return ns
	}
	for mi, mn := range mods.Content {
		if mi >= len(q.Modules) {
			return ns
		}
		q.Modules[mi].line = mn.Line
		ns[mn.Line] = mn
		items := mapValue(mn, "items")
		if items == nil || items.Kind != yaml.SequenceNode {
			continue
		}
		for ii, in := range items.Content {
			if ii < len(q.Modules[mi].Items) {
				q.Modules[mi].Items[ii].line = in.Line
				if _, taken := ns[in.Line]; !taken {
					ns[in.Line] = in
				}
			}
		}
	}
	return ns
}

func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
