"""dashboard.tables.Table: the HTML body the statistics page shows for each table."""

from dashboard.tables import Column, Table


def test_html_body_heads_rows_aligns_numbers_links_and_escapes():
    table = Table(
        name="t",
        caption="T",
        columns=[
            Column("name", "Name", kind="text", link="url"),
            Column("incidents", "Incidents"),
            Column("share", "Share", kind="share"),
            Column("url", "URL", kind="text", html=False),
        ],
        rows=[
            {"name": "Quetta <b>", "incidents": 1234, "share": 0.125, "url": "/incidents/?city=quetta&x=1"},
            {"name": None, "incidents": 5, "share": None, "url": ""},
        ],
    )
    assert str(table.html_body) == (
        '<tr><th scope="row"><a href="/incidents/?city=quetta&amp;x=1">Quetta &lt;b&gt;</a></th>'
        '<td class="num">1,234</td><td class="num">12.5%</td></tr>'
        '<tr><th scope="row">Not recorded</th><td class="num">5</td><td class="num">–</td></tr>'
    )


def test_an_empty_table_has_an_empty_body():
    assert str(Table(name="t", caption="T", columns=[Column("n", "N")], rows=[]).html_body) == ""
