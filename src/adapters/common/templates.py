"""The deployment's e-mail templates: template key → GOV.UK Notify template id."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from domain.errors import TemplateNotConfigured


@dataclass(frozen=True)
class TemplateMap:
    """``GOVNOTIFY_TEMP_MAP`` as a value: a key without an id is ``TemplateNotConfigured``."""

    ids: Mapping[str, str] = field(default_factory=dict)

    def id_for(self, template_key: str) -> str:
        """The template id of ``template_key``, or ``TemplateNotConfigured``."""
        template_id = self.ids.get(template_key)
        if not template_id:
            raise TemplateNotConfigured(template_key)
        return template_id

    def require(self, template_keys: Iterable[str]) -> None:
        """Fail on the first key without a template id."""
        for key in template_keys:
            self.id_for(key)
