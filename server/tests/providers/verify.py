"""A stand-in for the SMS providers' and work-group robots' HTTP endpoints that checks each
request's signature the way the provider does, computed by the provider's own SDK from PyPI:
alibabacloud-openapi-util for Alibaba Cloud's ACS3-HMAC-SHA256, tencentcloud-sdk-python-common
for Tencent Cloud's TC3-HMAC-SHA256; DingTalk's robot signature as its documentation gives it
(HMAC-SHA256 of "timestamp\\nsecret", base64, URL-encoded); WeCom's robot takes a key.

Usage: python3 verify.py PORT ALIYUN_KEY_ID ALIYUN_SECRET TENCENT_KEY_ID TENCENT_SECRET
       DINGTALK_TOKEN DINGTALK_SECRET WECOM_KEY
GET /received lists what was accepted and refused, as JSON. The integration tests start it.
"""
import base64
import hashlib
import hmac
import json
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from alibabacloud_openapi_util.client import Client as AliyunUtil
from tencentcloud.common.sign import Sign as TencentSign

(PORT, ALI_ID, ALI_SECRET, TC_ID, TC_SECRET, DING_TOKEN, DING_SECRET, WECOM_KEY) = sys.argv[1:9]
ACCEPTED = []
REFUSED = []


class Request:
    """The fields of a Tea request that AliyunUtil.get_authorization reads."""

    def __init__(self, method, pathname, query, headers):
        self.method = method
        self.pathname = pathname
        self.query = query
        self.headers = headers


def aliyun(handler, path, query, body):
    auth = handler.headers.get("Authorization", "")
    fields = dict(part.split("=", 1) for part in auth.split(" ", 1)[1].split(","))
    signed = fields["SignedHeaders"].split(";")
    for need in ("host", "x-acs-action", "x-acs-version", "x-acs-date",
                 "x-acs-signature-nonce", "x-acs-content-sha256"):
        if need not in signed:
            return False, f"{need} is not signed"
    headers = {name: handler.headers.get(name) for name in signed}
    payload = hashlib.sha256(body).hexdigest()
    if headers["x-acs-content-sha256"] != payload:
        return False, "x-acs-content-sha256 is not the body's hash"
    expected = AliyunUtil.get_authorization(
        Request("POST", path, query, headers), "ACS3-HMAC-SHA256", payload, ALI_ID, ALI_SECRET)
    if expected != auth:
        return False, f"signature: want {expected}, got {auth}"
    sent = time.mktime(time.strptime(headers["x-acs-date"], "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
    if abs(sent - time.time()) > 900:
        return False, "x-acs-date is too far from now"
    return True, {
        "provider": "aliyun",
        "phone": query["PhoneNumbers"],
        "sign": query["SignName"],
        "template": query["TemplateCode"],
        "values": json.loads(query["TemplateParam"]),
        "key": query.get("OutId"),
    }


def tencent(handler, body):
    auth = handler.headers.get("Authorization", "")
    timestamp = handler.headers.get("X-TC-Timestamp", "")
    date = time.strftime("%Y-%m-%d", time.gmtime(int(timestamp)))
    canonical = "\n".join([
        "POST", "/", "",
        "content-type:" + handler.headers.get("Content-Type", ""),
        "host:" + handler.headers.get("Host", ""), "",
        "content-type;host",
        hashlib.sha256(body).hexdigest(),
    ])
    scope = f"{date}/sms/tc3_request"
    to_sign = "\n".join([
        "TC3-HMAC-SHA256", timestamp, scope,
        hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
    ])
    signature = TencentSign.sign_tc3(TC_SECRET, date, "sms", to_sign)
    expected = (f"TC3-HMAC-SHA256 Credential={TC_ID}/{scope}, "
                f"SignedHeaders=content-type;host, Signature={signature}")
    if expected != auth:
        return False, f"signature: want {expected}, got {auth}"
    if handler.headers.get("X-TC-Action") != "SendSms":
        return False, "X-TC-Action is not SendSms"
    if abs(int(timestamp) - time.time()) > 300:
        return False, "X-TC-Timestamp is too far from now"
    data = json.loads(body)
    return True, {
        "provider": "tencent",
        "phone": data["PhoneNumberSet"][0],
        "sign": data["SignName"],
        "template": data["TemplateId"],
        "values": data["TemplateParamSet"],
        "key": data.get("SessionContext"),
        "app": data["SmsSdkAppId"],
    }


def dingtalk(query, body):
    if query.get("access_token") != DING_TOKEN:
        return False, "unknown access_token"
    timestamp = query.get("timestamp", "")
    digest = hmac.new(DING_SECRET.encode("utf-8"), f"{timestamp}\n{DING_SECRET}".encode("utf-8"),
                      hashlib.sha256).digest()
    if query.get("sign") != base64.b64encode(digest).decode():
        return False, "sign does not match"
    if abs(int(timestamp) / 1000 - time.time()) > 3600:
        return False, "timestamp is more than an hour off"
    data = json.loads(body)
    return True, {"provider": "dingtalk", "text": data["text"]["content"],
                  "key": data.get("msgUuid")}


def wecom(query, body):
    if query.get("key") != WECOM_KEY:
        return False, "unknown key"
    data = json.loads(body)
    content = data["text"]["content"]
    if len(content.encode("utf-8")) > 2048:
        return False, "content over 2048 bytes"
    return True, {"provider": "wecom", "text": content}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, data):
        raw = json.dumps(data, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_GET(self):
        self.answer(200, {"accepted": ACCEPTED, "refused": REFUSED})

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        query = {k: v[0] for k, v in urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            if self.headers.get("x-acs-action"):
                ok, what = aliyun(self, url.path, query, body)
                good, bad = {"Code": "OK", "Message": "OK", "BizId": str(len(ACCEPTED))}, \
                    {"Code": "SignatureDoesNotMatch", "Message": "refused"}
            elif self.headers.get("X-TC-Action"):
                ok, what = tencent(self, body)
                good = {"Response": {"SendStatusSet": [{"Code": "Ok", "Message": "send success"}],
                                     "RequestId": str(len(ACCEPTED))}}
                bad = {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure",
                                              "Message": "refused"}}}
            elif url.path == "/robot/send":
                ok, what = dingtalk(query, body)
                good, bad = {"errcode": 0, "errmsg": "ok"}, {"errcode": 310000, "errmsg": "sign not match"}
            elif url.path == "/cgi-bin/webhook/send":
                ok, what = wecom(query, body)
                good, bad = {"errcode": 0, "errmsg": "ok"}, {"errcode": 93000, "errmsg": "invalid webhook url"}
            else:
                ok, what, good, bad = False, "unknown path " + url.path, {}, {"error": "not found"}
        except Exception as err:  # a malformed request is refused, never accepted
            ok, what, bad = False, f"malformed: {err!r}", {"error": "malformed"}
        if ok:
            ACCEPTED.append(what)
            self.answer(200, good)
        else:
            REFUSED.append(what)
            # Alibaba Cloud answers a bad signature with 400; the others with 200 and a code.
            self.answer(400 if self.headers.get("x-acs-action") else 200, bad)


ThreadingHTTPServer(("127.0.0.1", int(PORT)), Handler).serve_forever()
