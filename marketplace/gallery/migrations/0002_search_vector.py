"""PostgreSQL only: a stored generated tsvector column with a GIN index.

Not a model field, because the embedded default runs on SQLite, which has no tsvector; the
search selector uses it through marketplace.gallery.search when the database is PostgreSQL.
The expression names ``'english'`` explicitly: without a config the generation expression
is not immutable and PostgreSQL refuses it.
"""

from django.db import migrations

VECTOR = (
    "setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(search_text, '')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'C')"
)


def add_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE gallery_post ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({VECTOR}) STORED"
    )
    schema_editor.execute("CREATE INDEX post_search_gin ON gallery_post USING gin (search_vector)")


def drop_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE gallery_post DROP COLUMN IF EXISTS search_vector")


class Migration(migrations.Migration):
    dependencies = [("gallery", "0001_initial")]
    operations = [migrations.RunPython(add_search_vector, drop_search_vector)]
