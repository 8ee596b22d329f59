import { translate } from '../i18n.js'
import * as DOMUtils from '../domutils.js'

export class Panel {
  constructor(app) {
    this.parent = app.uiContainer
    this.app = app
    this.container = document.createElement('div')
    this.parent.appendChild(this.container)
    // This will be set once according to the panel configured at load
    // or by using panels as popups
    this.mode = null
    // TODO mv as class properties
    this.className = 'left'
    // disableClickPropagation already stops contextmenu (used by our custom context menu).
    DOMUtils.disableClickPropagation(this.container)
    this.container.addEventListener('wheel', (event) => event.stopPropagation())
  }

  setDefaultMode(mode) {
    // In portrait mode (usually mobile), never force the mode,
    // and let the default CSS apply, and the user decide to force
    // if wanted (eg. we don't want the databrowser to be opened
    // fullscreen in a phone).
    if (window.matchMedia('(orientation: portrait)').matches) return
    if (!this.mode) this.mode = mode
  }

  isOpen() {
    return this.container.classList.contains('on')
  }

  open({ content, className, highlight, actions = [] } = {}) {
    let isOpen = false
    if (this.isOpen()) {
      isOpen = true
      this.onClose()
    }
    this.container.className = `with-transition panel window ${this.className} ${this.mode || ''} ${isOpen ? 'on' : ''}`
    if (highlight) {
      this.container.dataset.highlight = highlight
    }
    document.body.classList.add(`panel-${this.className.split(' ')[0]}-on`)
    this.container.innerHTML = ''
    const template = `
      <div>
        <ul class="buttons" data-ref="buttons">
          <li><button class="icon icon-16 icon-close" data-ref="close" title="${translate('Close')}"></button></li>
          <li><button class="icon icon-16 icon-resize" data-ref="resize" title="${translate('Toggle size')}"></button></li>
        </ul>
        <div class="body" data-ref="body">
        </div>
      </div>
    `
    const [root, { close, resize, body, buttons }] =
      DOMUtils.loadTemplateWithRefs(template)
    body.appendChild(content)
    this.container.appendChild(root)
    for (const action of actions) {
      const li = document.createElement('li')
      li.appendChild(action)
      buttons.appendChild(li)
    }
    if (className) body.classList.add(className)
    const promise = new Promise((resolve, reject) => {
      if (isOpen) {
        resolve(this)
      } else {
        this.container.classList.add('on')
        Promise.all(
          this.container.getAnimations?.().map((animation) => animation.finished)
        )
          .then(() => {
            resolve(this)
          })
          .catch(() => {
            // Panel has been removed, so the DOM has changed, so the animations
            // were cancelled, we want the new panel callback to be called anyway.
            resolve(this)
          })
      }
    })
    close.addEventListener('click', () => this.close())
    resize.addEventListener('click', () => this.resize())
    return promise
  }

  resize() {
    if (this.mode === 'condensed') {
      this.mode = 'expanded'
      this.container.classList.remove('condensed')
      this.container.classList.add('expanded')
    } else {
      this.mode = 'condensed'
      this.container.classList.remove('expanded')
      this.container.classList.add('condensed')
    }
  }

  close() {
    document.body.classList.remove(`panel-${this.className.split(' ')[0]}-on`)
    this.container.dataset.highlight = null
    this.onClose()
    Promise.all(
      this.container.getAnimations?.().map((animation) => animation.finished)
    ).then(() => {
      if (!this.isOpen()) {
        this.container.innerHTML = ''
      }
    })
  }

  onClose() {
    if (this.container.classList.contains('on')) {
      this.container.classList.remove('on')
    }
  }

  scrollTo(selector) {
    const fieldset = this.container.querySelector(selector)
    if (!fieldset) return
    fieldset.open = true
    const { top, left } = fieldset.getBoundingClientRect()
    this.container.scrollTo(left, top)
  }
}

export class EditPanel extends Panel {
  constructor(app) {
    super(app)
    this.className = 'right dark'
  }

  onClose() {
    super.onClose()
    this.app.editedFeature = null
  }
}

export class FullPanel extends Panel {
  constructor(app) {
    super(app)
    this.className = 'full dark'
    this.mode = 'expanded'
  }
}
