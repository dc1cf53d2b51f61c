package repotest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// packageDirs maps the package names README uses to their directories.
var packageDirs = map[string]string{
	"conversation": "conversation", "heuristics": "heuristics", "classifier": "classifier",
	"dsat": "dsat", "export": "export", "resume": "resume", "report": "report", "eval": "eval",
	"ultrafeedback": "ultrafeedback", "llmjudge": "classifier/llmjudge",
}

// declared holds a package's top-level names and, per type, its fields and
// methods.
type declared struct {
	names   map[string]bool
	members map[string]map[string]bool
}

func parsePackage(t *testing.T, dir string) declared {
	t.Helper()
	d := declared{names: map[string]bool{}, members: map[string]map[string]bool{}}
	member := func(typ, name string) {
		if d.members[typ] == nil {
			d.members[typ] = map[string]bool{}
		}
		d.members[typ][name] = true
	}
	files, err := filepath.Glob(filepath.Join(root, dir, "*.go"))
	require.NoError(t, err)
	require.NotEmpty(t, files, dir)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		for _, decl := range af.Decls {
			switch decl := decl.(type) {
			case *ast.FuncDecl:
				if decl.Recv == nil {
					d.names[decl.Name.Name] = true
					continue
				}
				typ := decl.Recv.List[0].Type
				if s, ok := typ.(*ast.StarExpr); ok {
					typ = s.X
				}
				if id, ok := typ.(*ast.Ident); ok {
					member(id.Name, decl.Name.Name)
				}
			case *ast.GenDecl:
				for _, spec := range decl.Specs {
					switch spec := spec.(type) {
					case *ast.ValueSpec:
						for _, n := range spec.Names {
							d.names[n.Name] = true
						}
					case *ast.TypeSpec:
						d.names[spec.Name.Name] = true
						if st, ok := spec.Type.(*ast.StructType); ok {
							for _, fl := range st.Fields.List {
								for _, n := range fl.Names {
									member(spec.Name.Name, n.Name)
								}
								if len(fl.Names) == 0 { // embedded
									if id, ok := fl.Type.(*ast.Ident); ok {
										member(spec.Name.Name, id.Name)
									}
								}
							}
						}
					}
				}
			}
		}
	}
	return d
}

// TestREADMEIdentifiersExist checks every Go identifier README names in
// code (`dsat.Policy`, `conversation.ParseError`, `Reader.OnSkip`): the
// package declares it, and a Type.Member names a field or method of it.
func TestREADMEIdentifiersExist(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	pkgs := map[string]declared{}
	for name, dir := range packageDirs {
		pkgs[name] = parsePackage(t, dir)
	}
	code := regexp.MustCompile("`([^`\n]+)`")
	ident := regexp.MustCompile(`\b([a-z]+)\.([A-Z][A-Za-z0-9]*)(?:\.([A-Z][A-Za-z0-9]*))?`)
	checked := 0
	for _, span := range code.FindAllStringSubmatch(string(b), -1) {
		for _, m := range ident.FindAllStringSubmatch(span[1], -1) {
			p, ok := pkgs[m[1]]
			if !ok {
				continue
			}
			checked++
			if !assert.True(t, p.names[m[2]], "README names %s.%s, which package %s does not declare", m[1], m[2], m[1]) {
				continue
			}
			if m[3] != "" {
				assert.True(t, p.members[m[2]][m[3]], "README names %s.%s.%s, which is no field or method", m[1], m[2], m[3])
			}
		}
	}
	assert.Greater(t, checked, 10)

	// The Reader claim of the bad-input section: OnSkip receives the
	// *ParseError, which carries the location, the reason and the cause.
	assert.Contains(t, string(b), "`Reader.OnSkip`, a `func(*conversation.ParseError)`")
	conv := pkgs["conversation"]
	assert.True(t, conv.members["Reader"]["OnSkip"])
	for _, f := range []string{"Reason", "Err"} {
		assert.True(t, conv.members["ParseError"][f], "ParseError.%s", f)
	}
}
