"""Output serializers whose fields are built once per class, not once per response.

DRF builds every field of a ModelSerializer for each serializer instance: it inspects the
model, deep-copies the declared fields and constructs the rest, and a nested serializer
does the same again. For the ticket a POST returns that was about a tenth of the request's
CPU (issue 19, bench/post_cost.py --profile). The fields of these serializers never depend
on the instance or the request, so the built set is kept on the class and each instance
binds shallow copies of it (binding sets the copy's own name and parent; nothing else of a
read-only field changes while it renders). A nested serializer is re-created instead (DRF's
own deep copy, which is cheap: it builds no fields), so that a list's child is not shared.

Only for read-only output serializers whose `get_fields` does not vary with the context.
"""

import copy

from rest_framework import serializers


class FieldsBuiltOnce(serializers.Serializer):
    def get_fields(self) -> dict:
        cls = type(self)
        built = cls.__dict__.get("_fields_built_once")
        if built is None:
            built = super().get_fields()
            cls._fields_built_once = built  # per class: a subclass builds its own set
        return {
            name: copy.deepcopy(field)
            if isinstance(field, serializers.BaseSerializer)
            else copy.copy(field)
            for name, field in built.items()
        }
