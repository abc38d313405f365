from gateway.main import MIGRATIONS_DIR
from gateway.settings import Settings
from service_kit.cli import run_cli
from service_kit.settings import BaseServiceSettings


async def _seed_demo(settings: BaseServiceSettings) -> str:
    from gateway.demo import seed_demo

    assert isinstance(settings, Settings)
    return await seed_demo(settings)


def main() -> None:
    run_cli(
        prog="gateway",
        module="gateway",
        settings_factory=Settings,
        migrations_dir=MIGRATIONS_DIR,
        default_port=8000,
        seed_demo=_seed_demo,
    )


if __name__ == "__main__":
    main()
