"""The adviser pages in one language: prefectures are named in the reader's language."""

import pytest
from django.test import Client


@pytest.mark.parametrize(("language", "shown", "hidden"), [("en", "Gifu", "岐阜県"), ("ja", "岐阜県", "Gifu")])
def test_the_portfolio_names_prefectures_in_the_readers_language(support, adviser, client_org, language, shown, hidden):
    web = Client(HTTP_ACCEPT_LANGUAGE=language)
    web.force_login(adviser)
    page = web.get(f"/o/{support.slug}/advisers/portfolio/").content.decode()
    table = page.split("<tbody", 1)[1]
    assert shown in table and hidden not in table
    assert f'<option value="岐阜県">{shown}</option>' in page
