"""The lexical helpers of the offline grader: statements, clauses, polarity."""

from __future__ import annotations

from interviewer.text import (
    CLAUSE_BREAK,
    Substrings,
    affirmed,
    asked_stems,
    denies,
    is_word_list,
    opposed,
    polarity,
    same_polarity,
    says_nothing_new,
    shared_share,
    split_units,
    stem,
)


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
    assert stem("computational") == stem("computation")


def test_a_negation_denies_the_next_two_content_words_up_to_punctuation_or_than():
    assert polarity("Adam does not apply a bias correction").negations == (("apply", "bias"),)
    assert polarity("It does not converge, so training diverges").negations == (("converg",),)
    assert polarity("Bulb A is not in the same path as B").negations == (("same",),)  # not 'path'
    assert "linear" in polarity("It does not work linearly").affirmed
    assert polarity("The model does no better than random guessing").negations == (("better",),)
    rather = polarity("High variance leads to underfitting rather than overfitting")
    assert rather.negations == (("overfit",),)


def test_denies_a_word_the_claim_affirms_and_the_claim_denies_a_word_said():
    claim = "Adam's moment estimates are biased, so Adam applies a bias correction to both of them."
    assert denies("Adam does not apply a bias correction to its moment estimates", claim)
    assert not denies("Adam applies a bias correction to its moment estimates", claim)
    xor = "A perceptron only works for linearly separable data and cannot solve problems such as XOR."
    assert denies("A perceptron can solve problems such as XOR", xor)
    assert not denies("A single perceptron cannot solve XOR", xor)


def test_denies_an_antonym_put_before_the_claims_word_in_its_nearest_clause():
    claim = ("Increasing model complexity typically decreases bias but increases variance, while a simpler "
             "model increases bias but decreases variance.")
    assert denies("Increasing model complexity increases bias and decreases variance", claim)
    assert not denies(claim, claim)
    assert denies("L2 loss is less sensitive to outliers", "L2 loss is more sensitive to outliers.")
    assert denies("High variance leads to underfitting rather than overfitting",
                  "High variance leads to overfitting")
    both = ("Parameters with larger gradients get smaller learning rates, while smaller gradients get "
            "larger ones.")
    assert not denies(both, both)


def test_a_negation_and_an_antonym_together_agree_with_the_claim():
    claim = "Terminal 4 and the positive terminal are connected"
    assert not denies("Terminal 4 and the negative terminal are not connected", claim)
    assert denies("Terminal 4 and the positive terminal are not connected", claim)
    assert not denies("Bulbs B and C are no longer in a closed path", "B and C are not in a closed path")


def test_a_word_said_both_ways_in_the_statement_is_not_a_denial_of_it():
    claim = "Frame bursting sends several frames in one transmission."
    assert not denies("Frame bursting is sending many frames at once instead of sending them apart", claim)


def test_the_questions_acronyms_count_as_asked_in_full():
    asked = asked_stems("What is AI?", "Artificial intelligence is the field of building smart machines.")
    assert {"artificial", "intelligenc"} <= asked
    assert asked_stems("What is AI?", "AI and its uses") == {"ai"}  # 'and' is no initial of a term


def test_a_labelled_list_of_many_short_terms_is_a_word_list():
    assert is_word_list("Keywords: network depth, chain rule, product of derivatives, first layer, "
                        "activation derivatives smaller than one, exponential shrinkage, number of layers")
    assert not is_word_list("Adam keeps moving averages of the gradient and of its square, and corrects "
                            "their bias, so each parameter gets its own step size.")


def test_an_answer_of_the_questions_words_and_words_about_the_question_says_nothing_new():
    asked = asked_stems("What do you understand by a computational graph?", "")
    assert says_nothing_new("A computational graph is a graph that is computational, and what I understand "
                            "by it is the idea of a graph used for computation.", asked)
    assert not says_nothing_new("A computational graph maps operations to nodes and data flow to edges.",
                                asked)
    assert not says_nothing_new("A computational graph is not a graph.", asked)  # a negation claims something


def test_substrings_finds_every_part_inside_a_text_as_the_in_operator_does():
    parts = ["it is linear", "linear", "is lin", "XOR", "not here", "it is linear and"]
    text = "A perceptron: it is linear and cannot solve XOR."
    assert Substrings(parts).within(text) == {part for part in parts if part in text}
    assert Substrings([]).within(text) == set() and Substrings(["a longer part"]).within("short") == set()


def test_a_dash_between_spaces_breaks_a_clause_however_long_the_run_of_spaces():
    clauses = ["it is linear", "it cannot solve XOR"]
    assert CLAUSE_BREAK.split("it is linear   -  it cannot solve XOR") == clauses
    assert CLAUSE_BREAK.split("a," + " " * 40_000 + "b") == ["a," + " " * 40_000 + "b"]
