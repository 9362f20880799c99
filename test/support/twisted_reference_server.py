"""A Twisted web server used as the reference in comparison tests.

Serves GET /mailbox behind Twisted's HTTPAuthSessionWrapper with Basic and
Digest (MD5) credential factories and an in-memory user database, on
127.0.0.1 and the port given as the first argument. It prints "ready PORT"
once it listens. Run it with Debian's /usr/bin/python3 (python3-twisted).
"""
import sys

from zope.interface import implementer
from twisted.cred.checkers import InMemoryUsernamePasswordDatabaseDontUse
from twisted.cred.portal import IRealm, Portal
from twisted.internet import reactor
from twisted.web.guard import (
    BasicCredentialFactory,
    DigestCredentialFactory,
    HTTPAuthSessionWrapper,
)
from twisted.web.resource import IResource, Resource
from twisted.web.server import Site


class MailboxResource(Resource):
    isLeaf = True

    def __init__(self, avatar_id):
        super().__init__()
        self.avatar_id = avatar_id

    def render_GET(self, request):
        request.setHeader(b"content-type", b"application/json")
        return b'{"owner": "' + self.avatar_id + b'"}'


@implementer(IRealm)
class MailboxRealm:
    def requestAvatar(self, avatar_id, mind, *interfaces):
        if IResource not in interfaces:
            raise NotImplementedError()
        return IResource, MailboxResource(avatar_id), lambda: None


def main():
    port = int(sys.argv[1])
    users = InMemoryUsernamePasswordDatabaseDontUse(alice=b"wonderland")
    portal = Portal(MailboxRealm(), [users])
    factories = [
        DigestCredentialFactory(b"md5", b"demo"),
        BasicCredentialFactory(b"demo"),
    ]
    root = Resource()
    root.putChild(b"mailbox", HTTPAuthSessionWrapper(portal, factories))
    listening = reactor.listenTCP(port, Site(root), interface="127.0.0.1")
    print("ready", listening.getHost().port, flush=True)
    reactor.run()


if __name__ == "__main__":
    main()
