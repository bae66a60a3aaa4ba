"""The one embedding interface every part uses (memory, KPI suggestions, alignment checks).

Backends, chosen by ``[embedding] backend``:
- ``wordllama`` (default): weights ship inside the wheel, fully offline, ~40k sentences/s.
- ``litellm:<model>``: any embedding model litellm reaches (OpenAI, Ollama, …), via coach.llm.
- ``sentence-transformers:<model>``: if that package and the model are installed locally.
Vectors are float32 and L2-normalised, so a dot product is the cosine similarity.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from coach.errors import ConfigError

if TYPE_CHECKING:
    from coach.config import Settings


class Embedder(Protocol):
    name: str  # stored with a collection: a different name later means "reindex"
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray: ...


def _normalise(vecs: np.ndarray) -> np.ndarray:
    vecs = np.asarray(vecs, dtype=np.float32)
    if vecs.ndim == 1:
        vecs = vecs[None, :]
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vecs / norms


@functools.lru_cache(maxsize=1)
def _wordllama_model(dim: int):
    import wordllama
    from wordllama import WordLlama

    # The wheel ships tokenizers/ and weights/ beside the package; load them without any
    # download (plain WordLlama.load() looks in the wrong folder and then tries the network).
    return WordLlama.load(dim=dim, cache_dir=Path(wordllama.__file__).parent, disable_download=True)


class WordLlamaEmbedder:
    def __init__(self, dim: int = 256):
        self.dim = dim
        self.name = f"wordllama-l2_supercat-{dim}"

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = _wordllama_model(self.dim)
        # Empty strings give NaN vectors in some versions; embed a space instead.
        return _normalise(model.embed([t if t.strip() else " " for t in texts]))


class LitellmEmbedder:
    def __init__(self, model: str, settings: Settings):
        self.model = model
        self.settings = settings
        self.name = f"litellm:{model}"
        self._dim: int | None = None

    @property
    def dim(self) -> int:
        if self._dim is None:
            self._dim = int(self.embed(["dimension probe"]).shape[1])
        return self._dim

    def embed(self, texts: list[str]) -> np.ndarray:
        from coach import llm  # the only module that imports litellm

        vecs = _normalise(np.asarray(llm.embed_texts(self.model, texts, self.settings.llm)))
        self._dim = int(vecs.shape[1])
        return vecs


class SentenceTransformersEmbedder:
    def __init__(self, model: str):
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise ConfigError(
                "embedding backend sentence-transformers needs `pip install "
                "sentence-transformers` and a locally available model"
            ) from None
        self._model = SentenceTransformer(model, local_files_only=True)
        self.name = f"sentence-transformers:{model}"
        self.dim = int(self._model.get_sentence_embedding_dimension())

    def embed(self, texts: list[str]) -> np.ndarray:
        return _normalise(self._model.encode(texts, normalize_embeddings=True))


def get_embedder(settings: Settings | None = None, backend: str | None = None) -> Embedder:
    spec = backend or (settings.embedding.backend if settings else "wordllama")
    if spec == "wordllama" or spec.startswith("wordllama-"):
        return WordLlamaEmbedder()
    if spec.startswith("litellm:"):
        if settings is None:
            raise ConfigError("the litellm embedding backend needs settings (model, api_base)")
        return LitellmEmbedder(spec.split(":", 1)[1], settings)
    if spec.startswith("sentence-transformers:"):
        return SentenceTransformersEmbedder(spec.split(":", 1)[1])
    raise ConfigError(
        f"unknown embedding backend {spec!r}; use wordllama, litellm:<model> or "
        "sentence-transformers:<model>"
    )
