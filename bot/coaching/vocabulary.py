"""Word lists more than one part of the coach reads by, kept in one place.

The statement reader takes a standard out of "58% are treated to target, against 80%", the
writer joins it back on, and the rubric asks whether a sentence compares with anything; the
rubric's "plain and short" and the answer checks both flag jargon. Each list lived twice and
drifted ("whereas" read as a comparator in one, not the other), so a word added for one reader
was missed by the next. Patterns here are strings or compiled, case-insensitive.
"""

from __future__ import annotations

import re

# The words that join a measure to what it is compared with: "…, against 80%", "…, whereas
# similar areas see 7%". A pattern string, for readers that anchor or capture around it.
COMPARATOR_JOIN = r"against|compared\s+(?:with|to)|versus|vs\.?|whereas|while"

# What a gap is measured against anywhere in a sentence: a join above, a standard, a target,
# an average, another place or time.
COMPARATOR = re.compile(
    rf"\b(?:{COMPARATOR_JOIN}|than|above|below|standard|target|ambition|average|benchmark|"
    r"peers?|nationally|national|expected|rather\s+than|up\s+from|down\s+from|instead\s+of|"
    r"limit)\b",
    re.IGNORECASE,
)

# A quantity in words ("only a few", "too long"): a gap described, not measured.
VAGUE_AMOUNT = re.compile(
    r"\b(?:only|few|fewer|many|most|rarely|seldom|too\s+(?:long|many|few|often|late|little))\b",
    re.IGNORECASE,
)

# Management words a non-specialist stumbles on (a pattern string: the answer checks also read
# them among their vague words).
JARGON_WORDS = (
    r"sub-?optimal|utili[sz]ation|footprint|leverag(?:e|es|ed|ing)|synerg(?:y|ies)|paradigm|"
    r"holistic(?:ally)?|operationali[sz]\w*|best-in-class|value-add|deliverables|whole-system"
)
JARGON = re.compile(rf"\b(?:{JARGON_WORDS})\b", re.IGNORECASE)
