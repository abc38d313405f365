from operators_api.main import MIGRATIONS_DIR
from operators_api.settings import Settings
from service_kit.cli import run_cli


def main() -> None:
    from operators_api.demo.seed import seed_demo

    run_cli(
        prog="operators-api",
        module="operators_api",
        settings_factory=Settings,
        migrations_dir=MIGRATIONS_DIR,
        default_port=8002,
        seed_demo=seed_demo,
    )


if __name__ == "__main__":
    main()
