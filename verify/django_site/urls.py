"""/health runs a query; /write inserts a row (after a short sleep in the database, so that a
burst of requests overlaps); /read reads every content type with QuerySet.iterator()."""
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.http import HttpResponse
from django.urls import path


def health(request):
    with connection.cursor() as cur:
        cur.execute("select 1")
    return HttpResponse("ok")


def write(request):
    with connection.cursor() as cur:
        cur.execute("select pg_sleep(0.3)")
        cur.execute("insert into verify_writes (at) values (now())")
    return HttpResponse("written")


def read(request):
    return HttpResponse(str(sum(1 for _ in ContentType.objects.order_by("id").iterator(chunk_size=100))))


urlpatterns = [path("health", health), path("write", write), path("read", read)]
