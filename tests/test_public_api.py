"""The public API in journeykit/__init__.py resolves every name it advertises."""

import journeykit


def test_every_exported_name_resolves():
    for name in journeykit.__all__:
        assert getattr(journeykit, name) is not None, name


def test_plan_round_trip_through_top_level(tmp_path):
    plan = journeykit.read_plan
    assert callable(plan)
    assert journeykit.analytics.transitions is journeykit.transitions


def test_functions_are_functions_not_their_modules():
    import types

    for name in ("ccpm", "transitions", "funnel", "benchmark", "feedback", "value_chain"):
        assert not isinstance(getattr(journeykit, name), types.ModuleType), name
    assert isinstance(journeykit.schedule, types.ModuleType)


def test_import_and_command_line_help_do_not_load_the_engine_or_scipy():
    """``import journeykit`` and ``journeykit --help`` (every command registered) stay light: the engine
    (Ibis, pandas), SciPy and the analytics load when a command runs."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "import journeykit\n"
        "from journeykit.cli import app\n"
        "for args in (['--help'], ['analyze', 'transitions', '--help'], ['ingest', '--help'], "
        "['analyze', 'kpis', '--help'], ['simulate', '--help'], ['insight', 'moments', '--help']):\n"
        "    result = CliRunner().invoke(app, args)\n"
        "    assert result.exit_code == 0, (args, result.output)\n"
        "heavy = sorted(m for m in ('ibis', 'pandas', 'scipy', 'duckdb', 'journeykit.analytics', "
        "'journeykit.engine') if m in sys.modules)\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
