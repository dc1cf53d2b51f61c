package eval_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"strings"

	"github.com/dsatmine/dsatmine/dsat"
	"github.com/dsatmine/dsatmine/eval"
	"github.com/dsatmine/dsatmine/labelled"
)

func ExampleEvaluate() {
	gold := `{"id":"g1","source":"example","messages":[{"role":"user","content":"Give me a synonym for happy."},{"role":"assistant","content":"Sad."},{"role":"user","content":"No, that's the opposite. I asked for a synonym."},{"role":"assistant","content":"Joyful."},{"role":"user","content":"Thanks, that works."}],"labels":[{"turn":2,"dsat":true,"sat":false,"categories":["correction"]},{"turn":4,"dsat":false,"sat":true}]}
`
	m, err := dsat.NewMiner(dsat.DefaultConfig())
	if err != nil {
		log.Fatal(err)
	}
	src := labelled.NewReader(strings.NewReader(gold), "gold.jsonl")
	rep, err := eval.Evaluate(context.Background(), m, src, "gold.jsonl", func(p eval.Prediction) error {
		fmt.Printf("%s turn %d: dsat=%v sat=%v\n", p.ID, p.Turn, p.DSAT, p.SAT)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("DSAT P=%.2f R=%.2f; SAT P=%.2f R=%.2f\n", rep.DSAT.Precision, rep.DSAT.Recall, rep.SAT.Precision, rep.SAT.Recall)
	_ = rep.WriteText(io.Discard) // or os.Stdout for the full tables
	// Output:
	// g1 turn 2: dsat=true sat=false
	// g1 turn 4: dsat=false sat=true
	// DSAT P=1.00 R=1.00; SAT P=1.00 R=1.00
}
