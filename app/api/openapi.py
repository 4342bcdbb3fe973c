"""The OpenAPI 3 description of the API, served at ``/api/v1/openapi.json``.

The filter parameters of the study lists are made from the modality configurations, so the
description names exactly the filters the list pages have; ``tests/test_api.py`` checks
that its paths are the API's routes and that it is valid OpenAPI 3.0.
"""
from ..modalities import MODALITIES
from ..modalities.filtering import ORDERINGS

VERSION = "1.0.0"

_ERROR = {"$ref": "#/components/responses/Error"}
_COMMON_ERRORS = {"401": _ERROR, "403": _ERROR}


def _filter_parameters() -> list[dict]:
    """One query parameter per argument any modality list reads, saying which lists read it."""
    found: dict[str, dict] = {}
    for config in MODALITIES:
        for spec in config.filters:
            for name in spec.arg_names:
                entry = found.setdefault(name, {"spec": spec, "modalities": []})
                entry["modalities"].append(config.key)
    parameters = []
    for name, entry in found.items():
        spec = entry["spec"]
        schema = {"type": "string"}
        if spec.kind == "date_range":
            schema = {"type": "string", "format": "date"}
        elif spec.kind == "range":
            schema = {"type": "number"}
        elif spec.kind == "select":
            schema = {"type": "string", "enum": [value for value, _ in spec.choices if value]}
        unit = f" ({spec.unit})" if getattr(spec, "unit", None) else ""
        bound = ""
        if spec.kind in ("range", "date_range"):
            bound = " lower bound" if name.endswith(("_min", "_from")) else " upper bound"
        pid = " Needs the pid role; ignored without it." if spec.pid else ""
        parameters.append({
            "name": name, "in": "query", "required": False, "schema": schema,
            "description": f"{spec.label}{bound}{unit}, as on the list page. "
                           f"Lists: {', '.join(entry['modalities'])}.{pid}",
        })
    return parameters


def _orderings() -> list[str]:
    keys = sorted({key for config in MODALITIES for key in config.orderings})
    return [prefix + key for key in keys for prefix in ("", "-")]


def _study_id():
    return {"name": "study_id", "in": "path", "required": True,
            "schema": {"type": "integer", "minimum": 1}}


def _modality():
    return {"name": "modality", "in": "path", "required": True,
            "schema": {"type": "string", "enum": [config.key for config in MODALITIES]}}


def _json(schema_name, description):
    return {"description": description, "content": {
        "application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}}}


def openapi_document() -> dict:
    """The whole description as a JSON-ready dict."""
    nullable_string = {"type": "string", "nullable": True}
    nullable_number = {"type": "number", "nullable": True}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Kerma API",
            "version": VERSION,
            "description": "Read access to the dose data Kerma stores. Every call needs an "
                           "API token made on the Account > API tokens page, sent as "
                           "`Authorization: Bearer <token>`; the token's user needs the view "
                           "role, and the pid role to see patient identifiers.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "paths": {
            "/openapi.json": {"get": {
                "operationId": "openapi", "summary": "This description",
                "responses": {"200": {"description": "The OpenAPI 3 description",
                                      "content": {"application/json": {
                                          "schema": {"type": "object"}}}},
                              **_COMMON_ERRORS}}},
            "/modalities/{modality}/studies": {"get": {
                "operationId": "listStudies",
                "summary": "A page of the studies the list page's filters select",
                "parameters": [_modality(),
                               {"name": "page", "in": "query", "required": False,
                                "schema": {"type": "integer", "minimum": 1, "default": 1}},
                               {"name": "per_page", "in": "query", "required": False,
                                "description": "Studies per page; the server's "
                                               "API_MAX_PAGE_SIZE (1000) at most.",
                                "schema": {"type": "integer", "minimum": 1, "default": 100}},
                               {"name": "o", "in": "query", "required": False,
                                "description": "Ordering; a leading - sorts descending. "
                                               "Each list offers the orderings of its page.",
                                "schema": {"type": "string", "enum": _orderings(),
                                           "default": "-date"}},
                               *_filter_parameters()],
                "responses": {"200": _json("StudyPage", "One page of studies"),
                              "400": _ERROR, **_COMMON_ERRORS}}},
            "/modalities/{modality}/export.{fmt}": {"get": {
                "operationId": "exportStudies",
                "summary": "The csv or xlsx export of the filtered studies (export role)",
                "parameters": [_modality(),
                               {"name": "fmt", "in": "path", "required": True,
                                "schema": {"type": "string", "enum": ["csv", "xlsx"]}},
                               {"name": "with_pid", "in": "query", "required": False,
                                "description": "1 to include patient identifiers "
                                               "(needs the pid role).",
                                "schema": {"type": "string", "enum": ["1", "0"]}},
                               *_filter_parameters()],
                "responses": {"200": {"description": "The export file", "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                        "schema": {"type": "string", "format": "binary"}}}},
                    **_COMMON_ERRORS}}},
            "/studies/{study_id}": {"get": {
                "operationId": "getStudy", "summary": "A study's whole dose tree",
                "parameters": [_study_id()],
                "responses": {"200": _json("StudyTree", "The study"), "404": _ERROR,
                              **_COMMON_ERRORS}}},
            "/studies/{study_id}/fhir": {"get": {
                "operationId": "getStudyFhir",
                "summary": "The study's dose summary as FHIR R4 resources "
                           "(Radiation Dose Summary IG)",
                "parameters": [_study_id()],
                "responses": {"200": {"description": "A FHIR collection Bundle", "content": {
                    "application/fhir+json": {"schema": {
                        "$ref": "#/components/schemas/FhirBundle"}}}},
                    "404": _ERROR, **_COMMON_ERRORS}}},
            "/drl/sets": {"get": {
                "operationId": "listDrlSets", "summary": "The DRL sets and their values",
                "responses": {"200": _json("DrlSets", "The DRL sets"), **_COMMON_ERRORS}}},
            "/drl/sets/{set_id}/comparison": {"get": {
                "operationId": "compareDrl",
                "summary": "Median per system and DRL entry of a set, in a period",
                "parameters": [
                    {"name": "set_id", "in": "path", "required": True,
                     "schema": {"type": "integer", "minimum": 1}},
                    {"name": "date_from", "in": "query", "required": False,
                     "schema": {"type": "string", "format": "date"}},
                    {"name": "date_to", "in": "query", "required": False,
                     "schema": {"type": "string", "format": "date"}}],
                "responses": {"200": _json("DrlComparison", "The comparison"),
                              "400": _ERROR, "404": _ERROR, **_COMMON_ERRORS}}},
        },
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                               "description": "An API token (kerma_...)"}},
            "responses": {"Error": _json("Error", "An error")},
            "schemas": {
                "Error": {"type": "object", "required": ["status", "error"], "properties": {
                    "status": {"type": "integer"}, "error": {"type": "string"},
                    "filters": {"type": "object",
                                "additionalProperties": {"type": "string"}}}},
                "StudyEntry": {"type": "object", "required": ["id", "modality_type", "links"],
                               "properties": {
                    "id": {"type": "integer"},
                    "modality_type": nullable_string,
                    "study_instance_uid": nullable_string,
                    "study_date": {"type": "string", "format": "date", "nullable": True},
                    "study_time": nullable_string,
                    "accession_number": nullable_string,
                    "accession_hashed": {"type": "boolean"},
                    "study_description": nullable_string,
                    "procedure": nullable_string,
                    "requested_procedure": nullable_string,
                    "equipment": {"type": "object", "nullable": True, "properties": {
                        name: nullable_string for name in (
                            "display_name", "manufacturer", "manufacturer_model_name",
                            "institution_name", "station_name")}},
                    "patient": {"type": "object", "properties": {
                        "patient_sex": nullable_string,
                        "patient_age_decimal": nullable_number,
                        "patient_size": nullable_number,
                        "patient_weight": nullable_number,
                        "patient_name": {**nullable_string, "description": "pid role only"},
                        "patient_id": {**nullable_string, "description": "pid role only"},
                        "patient_birth_date": {**nullable_string,
                                               "description": "pid role only"}}},
                    "summary": {"type": "object",
                                "additionalProperties": {"type": "number", "nullable": True}},
                    "links": {"$ref": "#/components/schemas/StudyLinks"}}},
                "StudyLinks": {"type": "object", "properties": {
                    "self": {"type": "string"}, "fhir": {"type": "string"},
                    "page": nullable_string}},
                "StudyPage": {"type": "object",
                              "required": ["page", "per_page", "total", "items"],
                              "properties": {
                    "modality": {"type": "string"},
                    "filters": {"type": "object"},
                    "ordering": {"type": "string"},
                    "page": {"type": "integer"},
                    "per_page": {"type": "integer"},
                    "total": {"type": "integer"},
                    "total_is_lower_bound": {"type": "boolean",
                                             "description": "true when counting stopped "
                                                            "at 10,000"},
                    "pages": {"type": "integer", "nullable": True},
                    "next": nullable_string,
                    "previous": nullable_string,
                    "items": {"type": "array",
                              "items": {"$ref": "#/components/schemas/StudyEntry"}}}},
                "StudyTree": {"type": "object", "required": ["id"],
                              "description": "The study in the layout of "
                                             "`flask studies dump --json`: General Study "
                                             "Module fields, and child rows under "
                                             "`<model>_set` keys, in stored units.",
                              "properties": {"id": {"type": "integer"},
                                             "links": {"$ref":
                                                       "#/components/schemas/StudyLinks"}},
                              "additionalProperties": True},
                "FhirBundle": {"type": "object", "required": ["resourceType", "type", "entry"],
                               "properties": {
                    "resourceType": {"type": "string", "enum": ["Bundle"]},
                    "type": {"type": "string", "enum": ["collection"]},
                    "entry": {"type": "array", "items": {"type": "object", "properties": {
                        "fullUrl": {"type": "string"},
                        "resource": {"type": "object"}}}}}},
                "DrlSets": {"type": "object", "properties": {"items": {
                    "type": "array", "items": {"type": "object", "properties": {
                        "id": {"type": "integer"}, "name": {"type": "string"},
                        "source": nullable_string,
                        "values": {"type": "array", "items": {"type": "object"}},
                        "links": {"type": "object"}}}}}},
                "DrlComparison": {"type": "object", "properties": {
                    "set": {"type": "object"},
                    "date_from": {"type": "string", "format": "date", "nullable": True},
                    "date_to": {"type": "string", "format": "date", "nullable": True},
                    "items": {"type": "array", "items": {"type": "object", "properties": {
                        "system": {"type": "string"}, "modality": {"type": "string"},
                        "examination": {"type": "string"}, "quantity": {"type": "string"},
                        "patient_group": {"type": "string"},
                        "studies": {"type": "integer"},
                        "median": {**nullable_number,
                                   "description": "in the DRL's unit"},
                        "median_stored_unit": {"type": "number"},
                        "drl": {"type": "number"}, "unit": {"type": "string"},
                        "ratio": nullable_number, "above_drl": {"type": "boolean"}}}}}},
            },
        },
    }
