#!/usr/bin/env python3
"""The naive script a user might write instead of dsatmine, for scale only.

Reads ShareGPT-style JSON Lines (id, conversations[{from, value}]), marks a
human turn that follows a reply as dissatisfied when one keyword regex
matches it, and writes (prompt, rejected) anchors as JSON Lines. No
guards, no languages, no dedup: it is a throughput floor, not a miner.

    python3 bench/baseline.py INPUT.jsonl OUTPUT.jsonl
"""
import json
import re
import sys

CUE = re.compile(
    r"\b(that'?s (wrong|not what i (asked|wanted))|not correct|incorrect|try again|"
    r"you (misunderstood|forgot|missed)|doesn'?t work|too (long|short)|i said)\b",
    re.IGNORECASE,
)


def main(src, dst):
    n_conv = n_anchor = 0
    with open(src, encoding="utf-8") as fin, open(dst, "w", encoding="utf-8") as fout:
        for line in fin:
            if not line.strip():
                continue
            rec = json.loads(line)
            turns = rec.get("conversations") or []
            n_conv += 1
            for i in range(2, len(turns)):
                t, prev = turns[i], turns[i - 1]
                if t.get("from") != "human" or prev.get("from") != "gpt":
                    continue
                if CUE.search(t.get("value") or ""):
                    prompt = [
                        {"role": "user" if m.get("from") == "human" else "assistant", "content": m.get("value")}
                        for m in turns[: i - 1]
                    ]
                    fout.write(json.dumps({"id": rec.get("id"), "prompt": prompt, "rejected": prev.get("value"),
                                           "feedback": t.get("value")}) + "\n")
                    n_anchor += 1
    print(json.dumps({"conversations": n_conv, "anchors": n_anchor}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
