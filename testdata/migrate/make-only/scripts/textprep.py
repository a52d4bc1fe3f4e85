"""Text clean-up shared by prepare.py and evaluate.py (and the serving code,
which has its own copy -- keep them in sync)."""
import re
import unicodedata

_URL = re.compile(r"https?://\S+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
_TICKET_REF = re.compile(r"\b(?:INC|REQ)-\d{5,}\b")
_WS = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Lower-case, strip PII-ish tokens, collapse whitespace."""
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = _URL.sub(" <url> ", text)
    text = _EMAIL.sub(" <email> ", text)
    text = _TICKET_REF.sub(" <ticket> ", text)
    return _WS.sub(" ", text).strip().lower()


def load_labels(path: str) -> list[str]:
    import yaml

    with open(path) as fh:
        cfg = yaml.safe_load(fh)
    return [q["name"] for q in cfg["queues"] if not q.get("retired", False)]
