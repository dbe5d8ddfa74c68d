#!/usr/bin/env python3
"""Fast grid search on dev (fitting aid; the official figures come from run.sh / summarize.py).

usage: python summarize-fastfit.py DATA_DIR "NAME=v1,v2 NAME2=..."
  DATA_DIR: the summarize dev split (../shared/data/summarize/dev); needs rouge-score==0.1.2.
  EVAL_BIN: the fitting binary (default tools/fit/target/release/summarize_eval).
  SCORER: summarize.py, used only to write the request files (default ../shared/eval/summarize.py).
Each NAME is a field of summarize::PARAMS (see src/sumfit.rs); every combination is scored.
Scores ROUGE-1/2 F1 exactly as summarize.py does (rouge-score's tokenizer + Porter for en, NFKC +
casefold + \\w+ otherwise), with token and stem caches so one setting takes about a second.
ROUGE-Lsum is left out (summarize.py gives it for the chosen setting).
"""
import collections, itertools, json, os, re, subprocess, sys, unicodedata
from functools import lru_cache
from rouge_score import tokenize as rtok
from nltk.stem import porter

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = sys.argv[1]
SETS = ["cnndm", "bbc", "orangesum", "vnds"]
BIN = os.environ.get("EVAL_BIN", os.path.join(HERE, "target/release/summarize_eval"))
SCORER = os.environ.get("SCORER", os.path.join(HERE, "../../../shared/eval/summarize.py"))
REQ = os.path.join(HERE, "target/requests")
os.makedirs(REQ, exist_ok=True)
for d in SETS:
    path = os.path.join(REQ, f"{d}.jsonl")
    if not os.path.exists(path):
        with open(path, "w") as f:
            subprocess.run([sys.executable, SCORER, "input", os.path.join(DATA, f"{d}.jsonl")], stdout=f, check=True)
WORD_RE = re.compile(r"\w+", re.UNICODE)
_stem = porter.PorterStemmer()

@lru_cache(maxsize=None)
def stem(w):
    return _stem.stem(w) if len(w) > 3 else w

def tok(text, lang):
    if lang == "en":
        return [stem(w) for w in rtok.tokenize(text, None)]
    return WORD_RE.findall(unicodedata.normalize("NFKC", text).casefold())

def grams(t, n):
    return collections.Counter(tuple(t[i:i + n]) for i in range(len(t) - n + 1))

def f1(c, r):
    ov = sum((c & r).values())
    if not ov:
        return 0.0
    p, q = ov / sum(c.values()), ov / sum(r.values())
    return 2 * p * q / (p + q)

refs = {}
for d in SETS:
    for line in open(f"{DATA}/{d}.jsonl"):
        r = json.loads(line)
        t = tok(r["reference"], r["lang"])
        refs[r["id"]] = (r["lang"], grams(t, 1), grams(t, 2))

def run(env):
    out = {}
    for d in SETS:
        with open(os.path.join(REQ, f"{d}.jsonl")) as f:
            res = subprocess.run([BIN], stdin=f, capture_output=True, text=True, env={**os.environ, **env})
        s1 = s2 = 0.0; n = 0; words = 0
        for line in res.stdout.splitlines():
            o = json.loads(line)
            lang, r1, r2 = refs[o["id"]]
            summ = "\n".join(" ".join(s["text"].split()) for s in o["sentences"])
            words += len(summ.split())
            t = tok(summ, lang)
            s1 += f1(grams(t, 1), r1); s2 += f1(grams(t, 2), r2); n += 1
        out[d] = (100 * s1 / n, 100 * s2 / n, words / n)
    return out

specs = [s.split("=", 1) for s in sys.argv[2].split()] if len(sys.argv) > 2 else []
for combo in itertools.product(*[v.split(",") for _, v in specs]):
    env = {f"SUM_{k}": v for (k, _), v in zip(specs, combo)}
    res = run(env)
    print(" ".join(f"{d} {a:.2f}/{b:.2f} ({w:.0f})" for d, (a, b, w) in res.items()),
          "|", " ".join(f"{k[4:]}={v}" for k, v in env.items()), flush=True)
