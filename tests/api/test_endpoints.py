from console.api import endpoints


def test_catalog_has_every_section_of_the_manual() -> None:
    assert len(endpoints.ENDPOINTS) == 217
    assert endpoints.get("2.12.8").path == "/api/door/remoteOpenById"
    assert endpoints.get("2.12.8").is_write


def test_errata_paths_are_corrected() -> None:
    assert endpoints.get("2.10.3").path == "/api/v2/device/list"
    assert endpoints.get("2.10.3").printed_path == "/api/device/acclist"
    assert endpoints.get("2.31.1").path == "/api/psgDevice/list"
