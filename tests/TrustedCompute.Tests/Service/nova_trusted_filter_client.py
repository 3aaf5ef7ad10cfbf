#!/usr/bin/python3
"""Asks PollHosts the way nova's TrustedFilter (Folsom to Pike) asks an OpenAttestation server, and parses vtime
as the filter does. Written for the TrustedCompute service tests; Debian's python3-requests and python3-oslo.utils.

usage: nova_trusted_filter_client.py BASE_URL CA_FILE HOST [HOST ...]
       the auth blob, when any, comes from $OAT_AUTH_BLOB (as nova's [trusted_computing] auth_blob)
prints one JSON object: {"status": N, "hosts": [{"host_name", "trust_lvl", "vtime"}]} with vtime as
normalize_time(parse_isotime(vtime)).isoformat(), or "error" for a request that did not get through.
"""
import json
import os
import sys

import requests
from oslo_utils import timeutils


def poll_hosts(base_url, ca_file, hosts, auth_blob):
    body = json.dumps({"count": len(hosts), "hosts": hosts})
    headers = {"content-type": "application/json", "Accept": "application/json"}
    if auth_blob:
        headers["x-auth-blob"] = auth_blob
    try:
        answer = requests.request("POST", base_url + "/PollHosts", data=body, headers=headers, verify=ca_file,
                                  timeout=30)
    except requests.exceptions.RequestException as error:
        return {"status": None, "error": type(error).__name__}
    if answer.status_code not in (200, 201, 202, 204):
        return {"status": answer.status_code}
    entries = []
    for state in answer.json().get("hosts"):
        vtime = timeutils.normalize_time(timeutils.parse_isotime(state["vtime"]))
        entries.append({"host_name": state["host_name"], "trust_lvl": state["trust_lvl"],
                        "vtime": vtime.isoformat(timespec="milliseconds")})
    return {"status": answer.status_code, "hosts": entries}


def main(argv):
    if len(argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    result = poll_hosts(argv[1], argv[2], argv[3:], os.environ.get("OAT_AUTH_BLOB"))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
