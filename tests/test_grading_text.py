"""The lexical helpers of the offline grader: statements, clauses, polarity."""

from __future__ import annotations

from interviewer.grading.text import affirmed, opposed, same_polarity, shared_share, split_units, stem


def test_a_negated_compound_sentence_yields_its_clauses_too():
    answer = "Larger batches do not need more memory, and smaller batches do not give noisier estimates."
    units = split_units(answer)
    assert units == [answer, "Larger batches do not need more memory",
                     "smaller batches do not give noisier estimates."]
    assert split_units(answer, clauses=False) == [answer]


def test_a_short_affirmative_sentence_is_not_cut_into_clauses():
    answer = "Larger batches need more memory, and smaller batches give noisier estimates."
    assert split_units(answer) == [answer]


def test_affirmed_takes_the_negations_out():
    assert affirmed("Adam does not apply a bias correction.") == "Adam does apply a bias correction."
    assert affirmed("It can't converge and never stops") == "It can converge and stops"
    assert affirmed("There is no loss of data") == "There is loss of data"


def test_same_polarity_flips_whichever_side_is_negated_and_swaps_antonyms_back():
    assert same_polarity("ReLU does not saturate", "ReLU saturates") == (
        "ReLU does saturate", "ReLU saturates")
    assert same_polarity("It helps", "It does not help") == ("It helps", "It does help")
    statement, _ = same_polarity("L2 loss is less sensitive to outliers", "L2 loss is more sensitive")
    assert statement == "l2 loss is more sensitive to outliers"


def test_opposed_and_shared_share():
    claim = "Pretrained weights give a much better initialization than random weights."
    denial = "Pretrained weights do not give a better initialization than random weights"
    assert opposed(denial, claim) and not opposed(claim, claim)
    assert shared_share(denial, claim) == 1.0  # every word of the denial is the claim's
    assert shared_share("Dropout regularizes", claim) == 0.0


def test_stems_match_the_forms_of_a_word():
    assert stem("stepping") == stem("steps") == stem("step")
    assert stem("updated") == stem("updates") == stem("update") == stem("updating")
    assert stem("classes") == stem("class") and stem("losses") == stem("loss")
    assert stem("gradients") == stem("gradient") != stem("grade")
