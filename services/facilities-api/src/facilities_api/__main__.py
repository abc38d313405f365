from facilities_api.demo.seed import seed_demo
from facilities_api.main import MIGRATIONS_DIR
from facilities_api.settings import Settings
from service_kit.cli import run_cli
from service_kit.settings import BaseServiceSettings


async def _seed_demo(settings: BaseServiceSettings) -> str:
    """The kit's CLI hands over the settings it made with `Settings`, typed as their base."""
    assert isinstance(settings, Settings)
    return await seed_demo(settings)


def main() -> None:
    run_cli(
        prog="facilities-api",
        module="facilities_api",
        settings_factory=Settings,
        migrations_dir=MIGRATIONS_DIR,
        default_port=8001,
        seed_demo=_seed_demo,
    )


if __name__ == "__main__":
    main()
