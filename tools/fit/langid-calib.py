#!/usr/bin/env python3
"""Reliability table of the detector's confidence on dev.
Usage: langid-calib.py DEV.tsv RESP.jsonl, RESP from `textpipe detect --jsonl` over the
dev texts in order (see README.md here)."""
import json, sys
gold = [l.rstrip('\n').split('\t') for l in open(sys.argv[1])]
resp = [json.loads(l) for l in open(sys.argv[2])]
bins = [0, .3, .5, .6, .7, .8, .9, .95, .99, 1.0001]
rows = {c: [[0, 0, 0.0] for _ in bins[:-1]] for c in ('all', 'sentence', 'word_pair', 'word')}
for (g, cat, _), r in zip(gold, resp):
    p = r.get('confidence', 0.0)
    ok = r['language']['code'] == g
    for c in ('all', cat):
        for i in range(len(bins) - 1):
            if bins[i] <= p < bins[i + 1]:
                rows[c][i][0] += 1; rows[c][i][1] += ok; rows[c][i][2] += p
ece = {}
print('| confidence | n | mean conf | accuracy % | sentence n / acc | word_pair n / acc | word n / acc |')
print('|---|---|---|---|---|---|---|')
for i in range(len(bins) - 1):
    n, k, s = rows['all'][i]
    if n == 0: continue
    cells = []
    for c in ('sentence', 'word_pair', 'word'):
        m, j, _ = rows[c][i]
        cells.append(f'{m} / {100*j/m:.1f}' if m else '0 / -')
    print(f'| [{bins[i]:.2f}, {min(bins[i+1],1):.2f}) | {n} | {s/n:.3f} | {100*k/n:.1f} | ' + ' | '.join(cells) + ' |')
for c in rows:
    tot = sum(r[0] for r in rows[c])
    e = sum(abs(r[2] - r[1]) for r in rows[c] if r[0]) / tot
    ece[c] = e
print('ECE (|mean conf - acc| weighted by bin):', ', '.join(f'{c} {100*v:.2f} pt' for c, v in ece.items()))
rel = [(r.get('reliable'), r['language']['code'] == g) for (g, _, _), r in zip(gold, resp)]
nr = sum(1 for a, _ in rel if a); kr = sum(1 for a, b in rel if a and b)
print(f'reliable=true: {nr} texts ({100*nr/len(rel):.1f} %), accuracy {100*kr/max(nr,1):.2f} %')
