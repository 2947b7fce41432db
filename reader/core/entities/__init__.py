"""Named entities: a curated gazetteer per corpus, the user's overlay on top, a matcher, discovery.

Other capabilities should use :class:`reader.core.entities.api.EntityService`; the
submodules hold the pieces (model, gazetteer file, overlay ops, matcher, span cache,
discovery of names the gazetteer does not know yet).
"""

from reader.core.entities.model import ENTITY_TYPES, Candidate, Entity, Mention

__all__ = ["ENTITY_TYPES", "Candidate", "Entity", "Mention"]
