"""The one-pass subtree figures equal the plain counts, for every organization of a demo."""

from dangbo.demo.generator import build_demo
from dangbo.demo.profiles import PROFILES
from dangbo.members.selectors.figures import member_figures, member_figures_with_children, members_under
from dangbo.orgs.models import Org


def test_one_pass_figures_equal_a_recount_for_every_organization(db):
    build_demo(PROFILES["tiny"], seed=11, progress=lambda line: None)
    orgs = list(Org.objects.all())
    assert len(orgs) > 10
    for org in orgs:
        figures, per_child = member_figures_with_children(path=org.path)
        assert figures == member_figures(path=org.path), org.code
        children = [o for o in orgs if o.parent_id == org.pk]
        assert {
            c.path: members_under(path=c.path).count()
            for c in children
            if members_under(path=c.path).exists()
        } == per_child, org.code
    root = min(orgs, key=lambda o: len(o.path))
    assert member_figures(path=root.path).total > 100
