package indicators

import "strings"

// Reading the SQL text the compiler writes itself (the measures' aggregate
// expressions, select lists): quoted text, identifiers, parentheses. Enough
// for that text, not a parser of any SQL.

// scanIdents copies expr, quoted text as it is, each identifier outside
// it (not a parameter, @p1) handed to ident with the index after its name:
// ident writes what stands for it and returns where to go on.
func scanIdents(expr string, ident func(out *strings.Builder, name string, next int) (int, error)) (string, error) {
	var out strings.Builder
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == '\'' || c == '"' || c == '`':
			j := quoteEnd(expr, i)
			out.WriteString(expr[i:j])
			i = j
		case isIdentStart(c) && (i == 0 || !isIdentChar(expr[i-1]) && expr[i-1] != '@'):
			j := i
			for j < len(expr) && isIdentChar(expr[j]) {
				j++
			}
			next, err := ident(&out, expr[i:j], j)
			if err != nil {
				return "", err
			}
			i = next
		default:
			out.WriteByte(c)
			i++
		}
	}
	return out.String(), nil
}

// renameColumns renames the columns of expr found in rename: identifiers
// outside quotes, not a function's name, not a parameter (@p1).
func renameColumns(expr string, rename map[string]string) string {
	out, _ := scanIdents(expr, func(out *strings.Builder, name string, j int) (int, error) {
		if to, ok := rename[name]; ok && (j >= len(expr) || expr[j] != '(') {
			name = to
		}
		out.WriteString(name)
		return j, nil
	})
	return out
}

// eachTopLevel calls f with each index of s outside quoted text,
// parentheses and brackets.
func eachTopLevel(s string, f func(i int)) {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'' || c == '"' || c == '`':
			i = quoteEnd(s, i) - 1
		case c == '(' || c == '[':
			depth++
		case c == ')' || c == ']':
			depth--
		case depth == 0:
			f(i)
		}
	}
}

// splitTop splits s at the separator sep outside parentheses, brackets
// and quotes.
func splitTop(s string, sep byte) []string {
	var out []string
	start := 0
	eachTopLevel(s, func(i int) {
		if s[i] == sep {
			out = append(out, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
	})
	return append(out, strings.TrimSpace(s[start:]))
}

// splitAlias splits "expr AS name" at its last top-level " AS "; a bare
// column is its own name.
func splitAlias(item string) (expr, name string) {
	item = strings.TrimSpace(item)
	at := -1
	eachTopLevel(item, func(i int) {
		if strings.HasPrefix(item[i:], " AS ") {
			at = i
		}
	})
	if at < 0 {
		return item, item
	}
	return item[:at], strings.TrimSpace(item[at+4:])
}

// quoteEnd is the index after the quoted text (a string literal, a
// quoted name) opening at expr[i].
func quoteEnd(expr string, i int) int {
	q := expr[i]
	for j := i + 1; j < len(expr); j++ {
		switch expr[j] {
		case '\\':
			j++
		case q:
			return j + 1
		}
	}
	return len(expr)
}

// parenEnd is the index after the parenthesis closing the one at expr[i],
// past the end when it is not closed.
func parenEnd(expr string, i int) int {
	depth := 0
	for j := i; j < len(expr); {
		switch expr[j] {
		case '\'', '"', '`':
			j = quoteEnd(expr, j)
			continue
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return j + 1
			}
		}
		j++
	}
	return len(expr) + 1
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentChar(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }
