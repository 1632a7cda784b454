"""The licence of the published data (``site.yml`` ``data_license``, an SPDX identifier), as
the data package and the DCAT-US catalog name it: the identifier, a title and the licence's
canonical address."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class License:
    #: the SPDX identifier, e.g. CC-BY-4.0
    spdx: str
    title: str
    #: the licence's canonical text
    url: str

    def descriptor(self) -> dict[str, str]:
        """The Frictionless (Data Package) form: ``name``, ``path``, ``title``."""
        return {"name": self.spdx, "path": self.url, "title": self.title}


#: the licences open data is usually published under, with their publishers' own addresses
COMMON_LICENSES = {
    license.spdx.lower(): license
    for license in (
        License("CC-BY-4.0", "Creative Commons Attribution 4.0 International", "https://creativecommons.org/licenses/by/4.0/"),
        License("CC-BY-SA-4.0", "Creative Commons Attribution-ShareAlike 4.0 International", "https://creativecommons.org/licenses/by-sa/4.0/"),
        License("CC-BY-3.0-US", "Creative Commons Attribution 3.0 United States", "https://creativecommons.org/licenses/by/3.0/us/"),
        License("CC0-1.0", "Creative Commons Zero v1.0 Universal (public domain dedication)", "https://creativecommons.org/publicdomain/zero/1.0/"),
        License("ODC-By-1.0", "Open Data Commons Attribution License v1.0", "https://opendatacommons.org/licenses/by/1-0/"),
        License("ODbL-1.0", "Open Data Commons Open Database License v1.0", "https://opendatacommons.org/licenses/odbl/1-0/"),
        License("PDDL-1.0", "Open Data Commons Public Domain Dedication and License v1.0", "https://opendatacommons.org/licenses/pddl/1-0/"),
        License("OGL-UK-3.0", "Open Government Licence v3.0", "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"),
    )
}  # fmt: skip


def license_of(spdx: str) -> License:
    """The licence of ``spdx`` (matched without regard to case); any other identifier is
    named by its SPDX page, which holds the licence's text."""
    known = COMMON_LICENSES.get(spdx.lower())
    if known is not None:
        return known
    return License(spdx, spdx, f"https://spdx.org/licenses/{spdx}.html")
