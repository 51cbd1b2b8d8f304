"""The resolution engine: classification, similarity, answers and the decision rule.

Pure Python and scikit-learn, no database and no Django models: plain dataclasses in and
out. ``resolution.services`` loads and saves around it.
"""

from .classifier import IntentClassifier, ModelLoadError, TrainingConfig
from .decision import decide, wants_human
from .evaluation import evaluate, split_holdout, train_and_evaluate
from .llm import DisabledLLM, LLMProvider, OpenAICompatibleLLM, llm_from_settings
from .responder import respond
from .similarity import SimilarityIndex
from .text import normalize
from .types import Answer, IntentPolicy, KnowledgeItem, Match, Outcome, Prediction

__all__ = [
    "Answer",
    "DisabledLLM",
    "IntentClassifier",
    "IntentPolicy",
    "KnowledgeItem",
    "LLMProvider",
    "Match",
    "ModelLoadError",
    "OpenAICompatibleLLM",
    "Outcome",
    "Prediction",
    "SimilarityIndex",
    "TrainingConfig",
    "decide",
    "evaluate",
    "llm_from_settings",
    "normalize",
    "respond",
    "split_holdout",
    "train_and_evaluate",
    "wants_human",
]
