"""The words of members' names, for the search by one word over a large register (PostgreSQL
only; ``members.selectors.one_word``).

The name order begins with the given name, so the members whose given name begins with a word
are a few contiguous ranges of ``member_name_order_walk`` (``core.text.given_name_prefixes``).
The other words of their names (family name, middle names, the given name's later words) are
kept here, one row per word and member with the member's name-order key, so the members a word
rare among them finds are read in the name order from this table's key alone, rather than by
walking the whole name order.

The table is kept by the database itself, so every way members are written keeps it: the
demo's and the import's COPY (a statement trigger reading the inserted rows at once), an edit
of the name, a deletion, and Django's ``flush`` (TRUNCATE, which row triggers do not see).
Which words are the given name's first is counted from the end of the folded key
(``search_key`` is ``fold`` of family, middle and given names joined by single spaces): the
given name has as many words as ``given_name`` split on white space.

SQLite has no such table: its registers are small enough to walk (docs/architecture.md).
"""

from django.db import migrations

TABLE = "members_name_word"

POSTGRES = [
    # One row per word and member, in the name order within a word: a word's members are read
    # by the primary key alone (word range, then their name order), without the members' rows.
    f"""CREATE TABLE {TABLE} (
        word text COLLATE "C" NOT NULL,
        sort_key varchar(400) COLLATE "C" NOT NULL,
        member_id uuid NOT NULL,
        PRIMARY KEY (word, sort_key, member_id)
    )""",
    # The words of a folded key other than the given name's first, each once.
    """CREATE FUNCTION member_name_other_words(search_key text, given_name text) RETURNS text[]
       LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
         SELECT coalesce(array_agg(DISTINCT w.word), '{}')
         FROM unnest(string_to_array(search_key, ' ')) WITH ORDINALITY AS w(word, n)
         WHERE w.word <> ''
           AND w.n IS DISTINCT FROM (
             CASE WHEN btrim(given_name) = '' THEN NULL
                  ELSE cardinality(string_to_array(search_key, ' '))
                       - cardinality(regexp_split_to_array(btrim(given_name), '\\s+')) + 1
             END)
       $$""",
    f"""CREATE FUNCTION member_name_words_added() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         INSERT INTO {TABLE} (word, sort_key, member_id)
         SELECT w, m.sort_key, m.id
         FROM added m, unnest(member_name_other_words(m.search_key, m.given_name)) w;
         RETURN NULL;
       END $$""",
    f"""CREATE FUNCTION member_name_words_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         DELETE FROM {TABLE}
         WHERE word = ANY (member_name_other_words(OLD.search_key, OLD.given_name))
           AND sort_key = OLD.sort_key AND member_id = OLD.id;
         INSERT INTO {TABLE} (word, sort_key, member_id)
         SELECT w, NEW.sort_key, NEW.id FROM unnest(member_name_other_words(NEW.search_key, NEW.given_name)) w;
         RETURN NULL;
       END $$""",
    f"""CREATE FUNCTION member_name_words_removed() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         DELETE FROM {TABLE} t
         USING removed m CROSS JOIN LATERAL unnest(member_name_other_words(m.search_key, m.given_name)) AS w(word)
         WHERE t.word = w.word AND t.sort_key = m.sort_key AND t.member_id = m.id;
         RETURN NULL;
       END $$""",
    f"""CREATE FUNCTION member_name_words_emptied() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         TRUNCATE {TABLE};
         RETURN NULL;
       END $$""",
    "CREATE TRIGGER member_name_words_added AFTER INSERT ON members_member "
    "REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION member_name_words_added()",
    "CREATE TRIGGER member_name_words_renamed AFTER UPDATE OF search_key, given_name, sort_key "
    "ON members_member FOR EACH ROW WHEN (OLD.search_key IS DISTINCT FROM NEW.search_key "
    "OR OLD.given_name IS DISTINCT FROM NEW.given_name OR OLD.sort_key IS DISTINCT FROM NEW.sort_key) "
    "EXECUTE FUNCTION member_name_words_renamed()",
    "CREATE TRIGGER member_name_words_removed AFTER DELETE ON members_member "
    "REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION member_name_words_removed()",
    "CREATE TRIGGER member_name_words_emptied AFTER TRUNCATE ON members_member "
    "FOR EACH STATEMENT EXECUTE FUNCTION member_name_words_emptied()",
    # The members already there.
    f"""INSERT INTO {TABLE} (word, sort_key, member_id)
        SELECT w, m.sort_key, m.id
        FROM members_member m, unnest(member_name_other_words(m.search_key, m.given_name)) w""",
    f"ANALYZE {TABLE}",
]
POSTGRES_BACK = [
    "DROP TRIGGER member_name_words_emptied ON members_member",
    "DROP TRIGGER member_name_words_removed ON members_member",
    "DROP TRIGGER member_name_words_renamed ON members_member",
    "DROP TRIGGER member_name_words_added ON members_member",
    "DROP FUNCTION member_name_words_emptied()",
    "DROP FUNCTION member_name_words_removed()",
    "DROP FUNCTION member_name_words_renamed()",
    "DROP FUNCTION member_name_words_added()",
    "DROP FUNCTION member_name_other_words(text, text)",
    f"DROP TABLE {TABLE}",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_BACK:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("members", "0017_member_name_birth")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
