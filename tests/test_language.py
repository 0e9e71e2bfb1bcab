"""The English-word finder that the Chinese-output tests rely on."""
from __future__ import annotations

from tests.language import english_left


def test_code_is_not_english():
    text = "dW1 的形状应为 (2, 4)；得到 (2, 5)。检查 np.sum(dZ1, axis=0) 的 keepdims，见 `cost.item()` 与 --lang zh。"
    assert english_left(text) == []


def test_sentences_are_english():
    assert english_left("dW1 should have shape (2, 4); got (2, 5).") == ["should", "have", "shape", "got"]


def test_a_chinese_text_with_one_english_word_is_caught():
    assert english_left("前向传播 looks 正确") == ["looks"]
