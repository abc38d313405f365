from facilities_api.demo.seed import seed_demo
from facilities_api.main import MIGRATIONS_DIR
from facilities_api.settings import Settings
from service_kit.cli import run_cli


def main() -> None:
    run_cli(
        prog="facilities-api",
        module="facilities_api",
        settings_factory=Settings,
        migrations_dir=MIGRATIONS_DIR,
        default_port=8001,
        seed_demo=seed_demo,
    )


if __name__ == "__main__":
    main()
