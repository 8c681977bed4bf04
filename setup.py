"""Hall display system: content service, kiosks and LED walls for government service halls."""

from pathlib import Path

from setuptools import find_namespace_packages, setup

LED = ["Pillow>=10.0,<13"]
KIOSK = ["kivy>=2.3,<3", "qrcode>=7.4,<9", "pypinyin>=0.50,<1", "fonttools>=4.40,<5"]
SERVICE = [
    "flask>=3.0,<4",
    "waitress>=3.0,<4",
    "watchfiles>=0.21,<2",
    "argon2-cffi>=23.1,<26",
    "chinesecalendar>=1.11,<2",
    "qrcode>=7.4,<9",
    "Pillow>=10.0,<13",
    "fonttools>=4.40,<5",
    "pypinyin>=0.50,<1",
]

setup(
    name="hall",
    version="0.1.0",
    description="Display system for government service halls (便民服务中心) over MQTT",
    long_description=Path("README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="MIT",
    python_requires=">=3.11",
    # Namespace discovery so that data folders (the sample centre, later fonts and profiles) ship too.
    packages=find_namespace_packages(include=["hall*", "content*", "kiosk*", "led_driver*"]),
    package_data={"": ["py.typed", "*.yaml", "*.png", "*.jpg", "*.kv", "*.html", "*.js", "*.css", "*.po", "*.mo"]},
    # The core is what every machine runs: the shared layer, the MQTT link, YAML and its validation (content,
    # display profiles, the roster), and the commands staff send. Each part adds what only it imports, so an
    # LED controller (often a small ARM board, where Kivy has no wheels) installs neither Kivy nor the web
    # stack; `hall.parts` names the extra a missing part needs.
    install_requires=[
        "paho-mqtt>=2.1,<3",
        "PyYAML>=6.0,<7",
        "pydantic>=2.7,<3",
        "tzdata>=2024.1",
        "regex>=2023.0",
    ],
    extras_require={
        "service": SERVICE,
        "kiosk": KIOSK,
        "led": LED,
        "all": sorted(set(SERVICE + KIOSK + LED)),
        "embedded-broker": ["amqtt>=0.11,<0.13"],
        "dev": [
            "pytest>=8,<10",
            "babel>=2.14,<3",
            "pytest-timeout>=2.3,<3",
            "psutil>=5.9,<8",
            "ruff>=0.6,<0.18",
            "mypy>=1.10,<3",
            "import-linter>=2.5,<3",
            "types-PyYAML>=6.0",
            "types-waitress>=3.0",
            "sacn>=1.11,<2",
            "zxing-cpp>=2.2,<4",
            "hypothesis>=6.100,<7",
            "playwright>=1.45,<2",
        ],
    },
    entry_points={"console_scripts": ["hall=hall.cli:main"]},
)
