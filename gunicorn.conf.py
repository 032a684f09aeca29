"""gunicorn settings read from the working directory (/app in the image) on every start.

Only what keeps secrets out of logs lives here; the Dockerfile's command line sets the
rest. gunicorn writes no access log unless one is asked for (the portal logs each request
itself, wenzhou_portal.middleware); if one is (``--access-logfile -``), tracking codes in
private-link paths and referers are written as [code] (wenzhou_portal.gunicorn_logging).
"""

logger_class = "wenzhou_portal.gunicorn_logging.RedactingLogger"
# The combined format without the query string's own atom: the request line ("%(r)s")
# and the referer ("%(f)s") are redacted by the logger class above.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
