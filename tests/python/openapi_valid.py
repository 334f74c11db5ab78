"""The /api document is a valid OpenAPI 3.0 document (checked by openapi-spec-validator).

usage: python3 tests/python/openapi_valid.py BASE_URL
"""
import json
import sys
import urllib.request

from openapi_spec_validator import validate

base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"
with urllib.request.urlopen(base + "/api") as r:
    doc = json.load(r)
validate(doc)
print("ok   /api is valid OpenAPI", doc["openapi"])
print("0 failed")
