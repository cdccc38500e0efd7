"""A realistic set of answers for whole-conversation tests, evals and benchmarks."""

from __future__ import annotations

GOOD_ANSWERS: dict[str, str] = {
    "context.partners": "Our primary care network, a pharmaceutical company and the local "
    "pharmaceutical committee",
    "context.topic": "We want to work together on stroke prevention in people with atrial "
    "fibrillation.",
    "affected.who": "Adults with atrial fibrillation (AF) on the registers of the 9 practices in "
    "our primary care network",
    "affected.now": "Only 62% of eligible adults with atrial fibrillation are anticoagulated, "
    "against a national target of 80%",
    "evidence": "Practice registers, April 2024 to March 2025: 62% of 1,840 eligible adults "
    "anticoagulated\nNational audit data 2024: peer networks average 78%",
    "cause.why_matters": "Each year an estimated 14 avoidable strokes happen, costing about "
    "£300,000 in acute and social care.",
    "cause.root": "Anticoagulation reviews are never scheduled, so people who stopped or were "
    "never started are not followed up.",
    "outcome.measures": "Increase anticoagulation from 62% to 80% of eligible adults by March "
    "2026, measured monthly from practice registers.",
    "outcome.scope": "The 9 practices in our network, April 2025 to March 2026, excluding "
    "people already under a hospital anticoagulation clinic.",
    "value.patients": "Fewer strokes and fewer worries about blood thinners, with a review at "
    "their own practice.",
    "value.nhs": "Fewer stroke admissions, QOF targets met and pharmacist time used well.",
    "value.partner": "The company gains evidence of a service model and contributes a "
    "pharmacist's time and audit support, with no link to any product.",
    "risks": "The network's clinical director is accountable for patient safety and the company "
    "lead for its contribution; if the work stops, practices keep the review lists and "
    "searches so care continues.",
}
