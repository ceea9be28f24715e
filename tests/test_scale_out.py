"""Several app servers share one database: evidence in object storage, no state per process."""

from __future__ import annotations

import socket
import threading
import uuid
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lingyuan.settings import file_storage
from tests import factory
from tracker.models import ProgressEntry

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def s3_server():
    """A real S3-compatible server (moto's server mode) on a free loopback port."""
    server_module = pytest.importorskip(
        "moto.server", reason="moto[server] is not installed (pip install '.[test]')"
    )
    boto3 = pytest.importorskip("boto3", reason="boto3 is not installed (pip install '.[test]')")
    server = server_module.ThreadedMotoServer(
        ip_address="127.0.0.1", port=free_port(), verbose=False
    )
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="lingyuan",
        aws_secret_access_key="lingyuan-secret",
    )
    # moto keeps its buckets per process: each test gets its own.
    bucket = f"evidence-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    yield endpoint, client, bucket
    server.stop()


@pytest.fixture
def s3_storage(s3_server, settings, tmp_path):
    endpoint, client, bucket = s3_server
    environment = {
        "FILE_STORAGE": "s3",
        "S3_BUCKET": bucket,
        "S3_ENDPOINT_URL": endpoint,
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": "lingyuan",
        "S3_SECRET_ACCESS_KEY": "lingyuan-secret",
        "S3_PREFIX": "county",
    }
    settings.STORAGES = {**settings.STORAGES, "default": file_storage(environment)}
    # Anything written to local disk would land here, and the test looks.
    settings.MEDIA_ROOT = tmp_path
    return client, bucket


def test_local_disk_is_the_default_and_a_wrong_choice_fails_loudly():
    assert file_storage({})["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    with pytest.raises(ImproperlyConfigured, match="S3_BUCKET"):
        file_storage({"FILE_STORAGE": "s3"})
    with pytest.raises(ImproperlyConfigured, match="local or s3"):
        file_storage({"FILE_STORAGE": "ftp"})


def test_evidence_goes_to_the_bucket_and_downloads_from_it(s3_storage, client, reporter, tmp_path):
    s3, bucket = s3_storage
    plan = factory.make_plan(slug="city-14th")
    gdp = factory.make_target(plan, code="GDP", lead_department=reporter.departments.get())
    client.force_login(reporter)
    data = {
        "draft": "1",
        f"t{gdp.pk}-value": "120",
        f"t{gdp.pk}-quality": "preliminary",
        f"t{gdp.pk}-note": "",
        f"t{gdp.pk}-version": 0,
        f"t{gdp.pk}-evidence": SimpleUploadedFile("公报.pdf", PDF, content_type="application/pdf"),
    }
    client.post(reverse("tracker:data-entry", args=[plan.slug, 2023]), data, follow=True)

    entry = ProgressEntry.objects.get(series=gdp.series_id)
    stored = s3.list_objects_v2(Bucket=bucket)["Contents"]
    assert [item["Key"] for item in stored] == [f"county/{entry.evidence.name}"]
    body = s3.get_object(Bucket=bucket, Key=stored[0]["Key"])["Body"].read()
    assert body == PDF
    assert not any(tmp_path.iterdir()), "nothing may be written to the local disk"

    # A second server with the same settings reads it: the download comes from the bucket.
    response = client.get(reverse("tracker:evidence", args=[entry.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_the_same_file_name_twice_keeps_both(s3_storage, client, reporter):
    s3, bucket = s3_storage
    plan = factory.make_plan(slug="city-14th")
    department = reporter.departments.get()
    targets = [factory.make_target(plan, code=code, lead_department=department) for code in "AB"]
    client.force_login(reporter)
    data = {"draft": "1"}
    for target in targets:
        prefix = f"t{target.pk}"
        data |= {f"{prefix}-value": "150", f"{prefix}-quality": "final", f"{prefix}-version": 0}
        data[f"{prefix}-evidence"] = SimpleUploadedFile("a.pdf", PDF)
    client.post(reverse("tracker:data-entry", args=[plan.slug, 2023]), data, follow=True)
    names = {entry.evidence.name for entry in ProgressEntry.objects.all()}
    assert len(names) == 2
    assert len(s3.list_objects_v2(Bucket=bucket)["Contents"]) == 2


def test_no_state_is_kept_in_a_process():
    assert django_settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert django_settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"
    cache = django_settings.CACHES["default"]["BACKEND"]
    assert cache in (
        "django.core.cache.backends.dummy.DummyCache",
        "django.core.cache.backends.db.DatabaseCache",
    )
    assert django_settings.MESSAGE_STORAGE.endswith(("FallbackStorage", "CookieStorage"))


@pytest.fixture(params=["local", "s3"])
def evidence_storage(request, settings, tmp_path):
    """Evidence on local disk, and in a bucket (moto's S3 server) as app servers share it."""
    if request.param == "s3":
        return request.getfixturevalue("s3_storage")
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": file_storage({})}
    return None


def test_two_uploads_of_one_name_at_once_keep_both(evidence_storage, admin_user, client):
    """Storage's "is the name free, then write" is not atomic: two servers storing files of
    one name at the same moment both took one key, and one figure showed the other's file.
    Here two departments' uploads of one name start together, round after round."""
    plan = factory.make_plan(slug="city-14th")
    departments = [factory.make_department(name=name) for name in ("统计局", "科技局")]
    rounds = []
    for number in range(8):
        pair = []
        for department in departments:
            target = factory.make_target(
                plan, code=f"R{number}D{department.pk}", lead_department=department
            )
            pair.append(factory.make_entry(target, 2023, 120))
        rounds.append(pair)
    contents = {
        entry.pk: PDF + f"% {entry.target.code}\n".encode() * 2000
        for pair in rounds
        for entry in pair
    }
    name = "2023年 统计公报.pdf"

    for pair in rounds:
        start = threading.Barrier(len(pair))
        problems = []

        def upload(entry, start=start, problems=problems):
            try:
                start.wait(timeout=10)
                entry.evidence.save(name, ContentFile(contents[entry.pk]), save=False)
            except Exception as error:
                problems.append(repr(error))

        threads = [threading.Thread(target=upload, args=(entry,)) for entry in pair]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert not problems
        for entry in pair:
            entry.save()

    entries = [entry for pair in rounds for entry in pair]
    assert len({entry.evidence.name for entry in entries}) == len(entries)
    client.force_login(admin_user)
    for entry in entries:
        response = client.get(reverse("tracker:evidence", args=[entry.pk]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == contents[entry.pk], entry.target.code
        # The download keeps the name it was uploaded under, whatever its key.
        assert quote(name) in response["Content-Disposition"]
        assert name not in entry.evidence.name
    if evidence_storage is not None:
        s3, bucket = evidence_storage
        assert len(s3.list_objects_v2(Bucket=bucket)["Contents"]) == len(entries)


def test_files_stored_under_their_name_still_download_by_it(settings, tmp_path, admin_user, client):
    """Evidence stored before each file had a key of its own: its key is its name."""
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": file_storage({})}
    (tmp_path / "evidence" / "2024").mkdir(parents=True)
    (tmp_path / "evidence" / "2024" / "公报_Ab3dE9x.pdf").write_bytes(PDF)
    target = factory.make_target(factory.make_plan(slug="city-14th"), code="GDP")
    entry = factory.make_entry(target, 2023, 120, evidence="evidence/2024/公报_Ab3dE9x.pdf")
    client.force_login(admin_user)
    response = client.get(reverse("tracker:evidence", args=[entry.pk]))
    assert b"".join(response.streaming_content) == PDF
    assert quote("公报_Ab3dE9x.pdf") in response["Content-Disposition"]
