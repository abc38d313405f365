from gateway.main import MIGRATIONS_DIR
from gateway.settings import Settings
from service_kit.cli import run_cli


def main() -> None:
    from gateway.demo import seed_demo

    run_cli(
        prog="gateway",
        module="gateway",
        settings_factory=Settings,
        migrations_dir=MIGRATIONS_DIR,
        default_port=8000,
        seed_demo=seed_demo,
    )


if __name__ == "__main__":
    main()
